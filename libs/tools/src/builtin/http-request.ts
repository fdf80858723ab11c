import { Injectable } from '@nestjs/common';
import { decodeBody, type ResponseType } from '../http/response-body.js';
import { hasHeader, SafeHttpClient } from '../http/safe-http-client.js';
import type { ToolCallContext } from '../tool-handler.js';
import type { BuiltinTool } from './builtin-tool.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface HttpRequestArgs {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  responseType?: ResponseType;
}

/**
 * Any HTTP request to a public URL, through the SSRF-safe client. Every status is a result (the status is data to the
 * caller); refused URLs, unreachable hosts and timeouts are errors.
 */
@Injectable()
export class HttpRequestTool implements BuiltinTool {
  readonly name = 'http_request';
  readonly title = 'HTTP request';
  readonly description =
    'Sends an HTTP request to a public http(s) URL and returns the status, headers and body (parsed when JSON). ' +
    'Internal, private and cloud metadata addresses are refused unless an administrator allow-listed the host; ' +
    'redirects are followed (at most 5) and the body is cut at the size cap (truncated: true).';
  readonly inputSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      method: { enum: METHODS, default: 'GET', description: 'The HTTP method' },
      url: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://', maxLength: 4096, description: 'The absolute http or https URL, e.g. "https://api.example.com/items?q=x"' },
      headers: {
        type: 'object',
        propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
        additionalProperties: { type: 'string', maxLength: 8192 },
        description: 'Request headers, e.g. {"Accept": "application/json"}',
      },
      body: {
        description: 'The request body: a string is sent as is, anything else as JSON (with Content-Type: application/json unless headers set one)',
      },
      responseType: {
        enum: ['auto', 'json', 'text'],
        default: 'auto',
        description: 'auto parses JSON responses (by Content-Type) and returns other bodies as text; json fails when the body is not JSON; text never parses',
      },
    },
    required: ['url'],
    additionalProperties: false,
  };
  readonly outputSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      status: { type: 'integer', description: 'The HTTP status code of the final response (after redirects)' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Response headers, lower-case names; repeated ones joined with ", "' },
      body: { description: 'The parsed JSON, or the body as text' },
      truncated: { type: 'boolean', description: 'The body was longer than the size cap and was cut (then it is text)' },
      url: { type: 'string', description: 'The URL that answered, after redirects' },
    },
    required: ['status', 'headers', 'body', 'truncated', 'url'],
    additionalProperties: false,
  };
  // It can POST and DELETE, and it reaches the outside world.
  readonly annotations = { readOnlyHint: false, idempotentHint: false, destructiveHint: true, openWorldHint: true };
  readonly cacheTtlSeconds = 0;

  constructor(private readonly client: SafeHttpClient) {}

  async run(args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    const { method = 'GET', url, body, responseType = 'auto' } = args as unknown as HttpRequestArgs;
    const headers = { ...(args.headers as Record<string, string> | undefined) };
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    }
    const reply = await this.client.send({ method, url, headers, body: payload, signal: context.signal });
    return { status: reply.status, headers: reply.headers, body: decodeBody(reply, responseType), truncated: reply.truncated, url: reply.url };
  }
}
