import { type FieldError, isPlainObject, type SecretBox, ValidationFailedException } from '@app/core';

export const HTTP_TOOL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpToolMethod = (typeof HTTP_TOOL_METHODS)[number];

/** What an HTTP tool's row holds in `config`; header values are SecretBox-sealed. A type alias, so it is a Record<string, unknown>. */
export type HttpToolConfig = {
  /** `https://api.example.com/items/{id}`: each `{name}` is an argument, URL-encoded into the path or query. */
  url: string;
  method: HttpToolMethod;
  headers?: Record<string, string>;
  /** Arguments sent as query parameters. */
  query?: string[];
  /** Arguments sent as properties of the JSON body. */
  body?: string[];
};

/** What admins see instead of a header value; sent back unchanged on a PATCH, it keeps the stored value. */
export const REDACTED = '********';

export const PLACEHOLDER = /\{([A-Za-z_][\w-]*)\}/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const KNOWN_KEYS = new Set(['url', 'method', 'headers', 'query', 'body']);

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]);
}

/** Checks an admin's config field by field, collecting an error per bad one (pointers under /config). */
class ConfigCheck {
  readonly errors: FieldError[] = [];

  constructor(readonly argumentNames: Set<string>) {}

  fail(pointer: string, message: string): undefined {
    this.errors.push({ pointer: `/config${pointer}`, message });
    return undefined;
  }

  url(value: unknown): string | undefined {
    if (typeof value !== 'string' || value.length > 4096) return this.fail('/url', 'must be a URL template string (at most 4096 characters)');
    let url: URL;
    try {
      url = new URL(value.replace(PLACEHOLDER, 'x'));
    } catch {
      return this.fail('/url', 'must be an absolute http or https URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return this.fail('/url', 'must be an http or https URL');
    if (url.username || url.password) return this.fail('/url', 'must not hold credentials: put them in headers, which are encrypted');
    // Arguments choose a path or a query value, never where the request goes.
    const authority = /^[a-z]+:\/\/[^/?#]*/i.exec(value)?.[0] ?? '';
    if (placeholders(authority).length > 0) return this.fail('/url', 'placeholders may only appear in the path and query, not in the scheme, host or port');
    const unknown = placeholders(value).filter((name) => !this.argumentNames.has(name));
    if (unknown.length > 0) return this.fail('/url', `placeholders {${unknown.join('}, {')}} are not properties of the input schema`);
    return value;
  }

  method(value: unknown): HttpToolMethod | undefined {
    const method = value === undefined ? 'GET' : typeof value === 'string' ? value.toUpperCase() : value;
    if (!HTTP_TOOL_METHODS.includes(method as HttpToolMethod)) return this.fail('/method', `must be one of ${HTTP_TOOL_METHODS.join(', ')}`);
    return method as HttpToolMethod;
  }

  argumentList(key: 'query' | 'body', value: unknown, taken: Set<string>): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) return this.fail(`/${key}`, 'must be a list of argument names');
    value.forEach((name: string, index) => {
      if (!this.argumentNames.has(name)) this.fail(`/${key}/${index}`, `${name} is not a property of the input schema`);
      else if (taken.has(name)) this.fail(`/${key}/${index}`, `${name} is already used in the URL or the other list`);
      taken.add(name);
    });
    return value as string[];
  }

  headers(value: unknown, previous: Record<string, string> | undefined, box: SecretBox): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) return this.fail('/headers', 'must be an object of header names to values');
    const sealed: Record<string, string> = {};
    for (const [name, headerValue] of Object.entries(value)) {
      const pointer = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!HEADER_NAME.test(name)) this.fail(pointer, 'is not a valid header name');
      else if (typeof headerValue !== 'string' || headerValue.length > 8192 || /[\r\n\0]/.test(headerValue)) this.fail(pointer, 'must be a single-line string');
      else if (headerValue === REDACTED) {
        const kept = previous && Object.entries(previous).find(([stored]) => stored.toLowerCase() === name.toLowerCase())?.[1];
        if (kept) sealed[name] = kept;
        else this.fail(pointer, `is the redaction placeholder but no value is stored for ${name}: give the value`);
      } else sealed[name] = box.seal(headerValue);
    }
    return sealed;
  }
}

/**
 * Validates an admin's config of an HTTP tool against its input schema and returns what to store: method normalized,
 * header values sealed (a value given as REDACTED keeps the one stored in `previous`). Throws ValidationFailedException
 * with an error per bad field.
 */
export function prepareHttpToolConfig(
  config: Record<string, unknown>,
  inputSchema: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
  box: SecretBox,
): HttpToolConfig {
  const properties = isPlainObject(inputSchema.properties) ? Object.keys(inputSchema.properties) : [];
  const check = new ConfigCheck(new Set(properties));
  for (const key of Object.keys(config)) if (!KNOWN_KEYS.has(key)) check.fail(`/${key}`, 'is not allowed');
  const url = check.url(config.url);
  const method = check.method(config.method);
  const taken = new Set(url ? placeholders(url) : []);
  const query = check.argumentList('query', config.query, taken);
  const body = check.argumentList('body', config.body, taken);
  const previousHeaders = isPlainObject(previous?.headers) ? (previous.headers as Record<string, string>) : undefined;
  const headers = check.headers(config.headers, previousHeaders, box);
  if (check.errors.length > 0 || !url || !method) throw new ValidationFailedException(check.errors, 'The HTTP tool config is not valid; see errors.');
  return { url, method, ...(headers && { headers }), ...(query && { query }), ...(body && { body }) };
}

/** The config as admins may read it: header names kept, values replaced by REDACTED. */
export function redactHttpToolConfig(config: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(config.headers)) return config;
  return { ...config, headers: Object.fromEntries(Object.keys(config.headers).map((name) => [name, REDACTED])) };
}
