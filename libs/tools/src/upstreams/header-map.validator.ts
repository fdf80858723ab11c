import { ValidateBy, type ValidationOptions } from 'class-validator';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_HEADERS = 20;
const MAX_VALUE_LENGTH = 8192;
/** Headers the MCP transport or HTTP itself sets: an admin's value would break the connection, not configure it. */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'accept', 'connection', 'transfer-encoding', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']);

/** Why a header map is refused, naming the header (never its value); undefined when it is fine. */
export function headerMapProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header name to value';
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) return `may hold at most ${MAX_HEADERS} headers`;
  const seen = new Set<string>();
  for (const [name, headerValue] of entries) {
    if (!HEADER_NAME.test(name)) return `has "${name.slice(0, 100)}", which is not a valid header name`;
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) return `may not set ${name}: the MCP client sets it itself`;
    if (seen.has(lower)) return `names ${name} twice`;
    seen.add(lower);
    if (typeof headerValue !== 'string') return `${name} must be a string`;
    if (headerValue.length > MAX_VALUE_LENGTH || /[\r\n\0]/.test(headerValue)) return `${name} must be at most ${MAX_VALUE_LENGTH} characters without line breaks`;
  }
  return undefined;
}

/** A map of HTTP header names to string values, as sent to an upstream. */
export function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value) => headerMapProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'headers'} ${headerMapProblem(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}
