import { apiKeyMatches, apiKeyPrefix, hashApiKey, issueApiKey } from './api-key-secret.js';

describe('API key secrets', () => {
  it('issues keys with a visible prefix and keeps only a SHA-256 of the whole key', () => {
    const issued = issueApiKey();
    expect(issued.key).toMatch(/^mcpa_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}$/);
    expect(issued.key.startsWith(`${issued.prefix}_`)).toBe(true);
    expect(issued.secretHash).toBe(hashApiKey(issued.key));
    expect(issued.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(issueApiKey().key).not.toBe(issued.key);
  });

  it('finds the prefix of well-formed keys only', () => {
    const { key, prefix } = issueApiKey();
    expect(apiKeyPrefix(key)).toBe(prefix);
    for (const bad of ['', 'mcpa_short_x', `${key}x`, key.replace('mcpa_', 'mcpb_'), `Bearer ${key}`]) expect(apiKeyPrefix(bad)).toBeUndefined();
  });

  it('matches the presented key against the stored hash, and nothing else', () => {
    const { key, secretHash } = issueApiKey();
    expect(apiKeyMatches(key, secretHash)).toBe(true);
    expect(apiKeyMatches(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, secretHash)).toBe(false);
    expect(apiKeyMatches(key, 'not-hex')).toBe(false);
  });
});
