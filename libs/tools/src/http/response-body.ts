import { ToolExecutionError } from '../tool-handler.js';
import type { HttpReply } from './safe-http-client.js';

export type ResponseType = 'auto' | 'json' | 'text';

export function isJsonContentType(contentType: string | undefined): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType?.trim() ?? '');
}

/**
 * The body as JSON or text. `auto` parses when the response says it is JSON and is complete (a truncated document
 * would not parse), else gives the text; `json` insists and fails with RESPONSE_NOT_JSON when it can't.
 */
export function decodeBody(reply: HttpReply, type: ResponseType): unknown {
  const text = reply.body.toString('utf8');
  const wantsJson = type === 'json' || (type === 'auto' && isJsonContentType(reply.headers['content-type']) && !reply.truncated);
  if (!wantsJson) return text;
  if (reply.truncated) throw new ToolExecutionError(`the response from ${reply.url} is over the size cap and was cut, so it is not JSON`, 'RESPONSE_NOT_JSON');
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    if (type === 'auto') return text;
    throw new ToolExecutionError(`the response from ${reply.url} is not JSON: ${excerpt(text)}`, 'RESPONSE_NOT_JSON');
  }
}

/** The start of a body, for error messages. */
export function excerpt(text: string, length = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
