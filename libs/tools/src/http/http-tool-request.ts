import { ToolExecutionError } from '../tool-handler.js';
import { type HttpToolConfig, PLACEHOLDER } from './http-tool-config.js';

export interface HttpToolRequest {
  method: string;
  url: string;
  /** JSON, when any argument goes to the body. */
  body?: string;
}

/** A query parameter's text: strings and numbers as they are, anything else as JSON. */
function queryValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * The request an HTTP tool makes for some arguments: `{name}` placeholders filled (URL-encoded), `query` arguments as
 * query parameters (arrays repeated), `body` arguments as a JSON object; arguments listed nowhere go to the query for
 * GET/DELETE and to the body otherwise.
 */
export function buildHttpToolRequest(config: HttpToolConfig, args: Record<string, unknown>): HttpToolRequest {
  const used = new Set<string>();
  const filled = config.url.replace(PLACEHOLDER, (_, name: string) => {
    const value = args[name];
    if (value === undefined || value === null) throw new ToolExecutionError(`the argument ${name} is needed to build the URL`, 'ARGUMENT_MISSING');
    used.add(name);
    return encodeURIComponent(queryValue(value));
  });
  const url = new URL(filled);
  const inQuery = new Set(config.query);
  const inBody = new Set(config.body);
  const unlistedToQuery = config.method === 'GET' || config.method === 'DELETE';
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (used.has(name) || value === undefined) continue;
    const toQuery = inQuery.has(name) || (!inBody.has(name) && unlistedToQuery);
    if (!toQuery) body[name] = value;
    else for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, queryValue(item));
  }
  const hasBody = Object.keys(body).length > 0 || (config.body?.length ?? 0) > 0;
  return { method: config.method, url: url.href, ...(hasBody && { body: JSON.stringify(body) }) };
}
