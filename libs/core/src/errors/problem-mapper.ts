import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { DomainException, FieldError } from './domain.exception.js';
import { ProblemDetails, problemType } from './problem-details.js';

export interface MappedProblem {
  problem: ProblemDetails;
  headers: Record<string, string>;
}

interface RequestInfo {
  id: string;
  url: string;
}

/** Fastify's own request errors (raised before a route runs), by their stable codes. */
const FASTIFY_CODES: Record<string, { code: string; title: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', title: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported media type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_CONTENT_LENGTH', title: 'Invalid Content-Length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', title: 'Malformed JSON body', detail: 'The body is empty but Content-Type is application/json.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', title: 'Malformed JSON body' },
};

/** Network and server-state errors that mean Postgres is unreachable, not that the request was wrong. */
const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const DATABASE_DOWN_MESSAGE = /timeout exceeded when trying to connect|Connection terminated|connection error|Client has encountered a connection error/i;

function httpCode(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** Errors raised by Fastify itself (body parsing, limits) carry a statusCode and usually an FST_ code. */
function isFastifyError(error: unknown): error is Error & { statusCode: number; code?: string } {
  return isErrorLike(error) && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

/** Duck-typed: errors from Node's own sockets may come from another realm, where instanceof Error is false. */
export function isErrorLike(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

function isDatabaseDown(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  const code = (error as { code?: unknown }).code;
  const driverError = (error as { driverError?: { code?: unknown } }).driverError;
  return (
    (typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) ||
    (typeof driverError?.code === 'string' && DATABASE_DOWN_CODES.has(driverError.code)) ||
    DATABASE_DOWN_MESSAGE.test(error.message)
  );
}

/** class-validator messages arrive as strings that start with the property path; make them pointers. */
function validationErrors(messages: string[]): FieldError[] {
  return messages.map((message) => {
    const [path] = message.split(' ');
    return { pointer: `/${path.replace(/\./g, '/')}`, message };
  });
}

function fromHttpException(error: HttpException): Omit<ProblemDetails, 'instance' | 'requestId' | 'type'> {
  const status = error.getStatus();
  const response = error.getResponse();
  const body = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
  const message = body.message ?? response;
  const problem = {
    status,
    code: typeof body.code === 'string' ? body.code : httpCode(status),
    title: STATUS_CODES[status] ?? 'Error',
    detail: typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'Error'),
  };
  if (Array.isArray(message) && message.every((entry) => typeof entry === 'string')) {
    return { ...problem, code: 'VALIDATION_FAILED', detail: 'The request is not valid; see errors.', errors: validationErrors(message) };
  }
  return problem;
}

/** Turns anything thrown while serving a request into an RFC 9457 problem; the only place that decides. */
export function toProblem(thrown: unknown, request: RequestInfo, debug: boolean): MappedProblem {
  // Nest wraps Fastify's request errors in an HttpException; their own code says more.
  const error = thrown instanceof HttpException && isFastifyError(thrown.cause) ? thrown.cause : thrown;
  let headers: Record<string, string> = {};
  let fields: Omit<ProblemDetails, 'instance' | 'requestId' | 'type'>;

  if (error instanceof DomainException) {
    fields = { status: error.status, code: error.code, title: error.title, detail: error.message, errors: error.errors };
    headers = error.headers ?? {};
  } else if (error instanceof HttpException) {
    fields = fromHttpException(error);
  } else if (isDatabaseDown(error)) {
    fields = { status: 503, code: 'DATABASE_UNAVAILABLE', title: 'Service unavailable', detail: 'The database is unreachable; retry shortly.' };
    headers = { 'retry-after': '5' };
  } else if (isFastifyError(error)) {
    const status = error.statusCode;
    const known = FASTIFY_CODES[error.code ?? ''];
    fields =
      status >= 500
        ? { status, code: httpCode(status), title: STATUS_CODES[status] ?? 'Error', detail: 'The server failed to handle the request.' }
        : {
            status,
            code: known?.code ?? (error instanceof SyntaxError ? 'MALFORMED_JSON' : httpCode(status)),
            title: known?.title ?? (error instanceof SyntaxError ? 'Malformed JSON body' : (STATUS_CODES[status] ?? 'Error')),
            detail: known?.detail ?? error.message,
          };
  } else {
    fields = { status: 500, code: 'INTERNAL_ERROR', title: 'Internal server error', detail: 'The server failed to handle the request; the request id identifies it in the logs.' };
  }

  const problem: ProblemDetails = {
    type: problemType(fields.code),
    title: fields.title,
    status: fields.status,
    detail: fields.detail,
    instance: request.url.split('?')[0],
    code: fields.code,
    requestId: request.id,
  };
  if (fields.errors?.length) problem.errors = fields.errors;
  if (debug && isErrorLike(error) && error.stack) problem.stack = error.stack;
  return { problem, headers };
}
