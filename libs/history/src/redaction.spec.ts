import { REDACTED, redactSecrets, truncateResult } from './redaction.js';

describe('tool argument redaction and result truncation', () => {
  it('replaces secret-looking values at any depth and keeps the rest', () => {
    const args = { url: 'https://x', headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k' }, auth: [{ password: 'p', user: 'u' }], accessToken: 't' };
    expect(redactSecrets(args)).toEqual({
      url: 'https://x',
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED },
      auth: [{ password: REDACTED, user: 'u' }],
      accessToken: REDACTED,
    });
    expect(args.headers.Authorization).toBe('Bearer abc');
  });

  it('stores small results as they are and big ones as a marked preview', () => {
    expect(truncateResult({ a: 1 }, 100)).toEqual({ a: 1 });
    expect(truncateResult(undefined, 100)).toBeNull();
    const big = truncateResult({ text: 'é'.repeat(1000) }, 300) as { truncated: boolean; bytes: number; preview: string };
    expect(big.truncated).toBe(true);
    expect(big.bytes).toBe(JSON.stringify({ text: 'é'.repeat(1000) }).length + 1000);
    expect(Buffer.byteLength(big.preview)).toBeLessThanOrEqual(300);
  });
});
