import type { LlmProvider } from './model-ref.js';

/** How a model call failed, as a run records it. */
export interface ProviderFailure {
  code: string;
  message: string;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const MAX_MESSAGE = 500;

/**
 * Names a failed model call by what an operator can act on: the key (401/403), the rate limit (429), the model name
 * (404), the request (other 4xx), the network, a timeout, or the provider itself (5xx). Reads the shapes the OpenAI,
 * Anthropic and Ollama clients throw, and the codes LangChain stamps on them; `secrets` are scrubbed from the message.
 */
export function describeProviderFailure(error: unknown, provider: LlmProvider, secrets: string[] = []): ProviderFailure {
  const status = statusOf(error);
  const code = codeFor(error, status);
  const text = firstLine(error);
  const scrubbed = secrets.reduce((message, secret) => message.split(secret).join('[redacted]'), text);
  const message = `${provider}${status ? ` answered ${status}` : ''}: ${scrubbed}`;
  return { code, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
}

function codeFor(error: unknown, status: number | undefined): string {
  const fields = (error ?? {}) as { name?: unknown; lc_error_code?: unknown; constructor?: { name?: string } };
  const kind = fields.constructor?.name;
  if (fields.name === 'TimeoutError' || kind === 'APIConnectionTimeoutError') return 'LLM_PROVIDER_TIMEOUT';
  if (status === 401 || status === 403 || fields.lc_error_code === 'MODEL_AUTHENTICATION') return 'LLM_PROVIDER_UNAUTHORIZED';
  if (status === 429 || fields.lc_error_code === 'MODEL_RATE_LIMIT') return 'LLM_PROVIDER_RATE_LIMITED';
  if (status === 404 || fields.lc_error_code === 'MODEL_NOT_FOUND') return 'LLM_MODEL_NOT_FOUND';
  if (status !== undefined && status >= 400 && status < 500) return 'LLM_PROVIDER_REJECTED';
  if (status === undefined && (kind === 'APIConnectionError' || isConnectionFailure(error))) return 'LLM_PROVIDER_UNREACHABLE';
  return 'LLM_PROVIDER_ERROR';
}

/** The HTTP status wherever the client put it (OpenAI/Anthropic `status`, Ollama `status_code`, fetch `response.status`). */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fields = error as { status?: unknown; statusCode?: unknown; status_code?: unknown; response?: { status?: unknown } };
  const status = [fields.status, fields.statusCode, fields.status_code, fields.response?.status].find((value) => typeof value === 'number');
  return status as number | undefined;
}

function isConnectionFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if ((current as { message?: unknown }).message === 'fetch failed') return true;
  }
  return false;
}

/** LangChain appends a troubleshooting URL on later lines; the first line is the provider's own words. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim() || (error as Error)?.name || 'unknown error';
}
