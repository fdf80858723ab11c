const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|session/i;
export const REDACTED = '[redacted]';

/** A copy of tool arguments with the values of secret-looking keys replaced, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return REDACTED;
  if (Array.isArray(value)) return value.map((entry) => redactSecrets(entry, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, SECRET_KEY.test(key) ? REDACTED : redactSecrets(entry, depth + 1)]),
    );
  }
  return value;
}

/** A result as stored: itself when its JSON fits, else a marked preview of its first maxBytes. */
export function truncateResult(result: unknown, maxBytes: number): unknown {
  if (result === undefined) return null;
  const json = JSON.stringify(result) ?? 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return result;
  // A cut through a multi-byte character decodes to U+FFFD: drop it, so the preview stays within maxBytes.
  const preview = Buffer.from(json).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return { truncated: true, bytes, preview };
}
