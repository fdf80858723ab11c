import { readEnvironment } from '../config/environment.js';
import { SecretBox } from './secret-box.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const box = (current: string | undefined, previous: string[] = []) => new SecretBox({ current, previous });

describe('SecretBox', () => {
  it('seals to an opaque value that opens to the original', () => {
    const sealed = box(A).seal('Bearer s3cr3t');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('s3cr3t');
    expect(box(A).open(sealed)).toBe('Bearer s3cr3t');
  });

  it('uses a fresh IV each time', () => {
    expect(box(A).seal('x')).not.toBe(box(A).seal('x'));
  });

  it('refuses a value sealed under another secret, or tampered with', () => {
    const sealed = box(A).seal('token');
    expect(() => box(B).open(sealed)).toThrow(/APP_SECRET_PREVIOUS/);
    const raw = Buffer.from(sealed.slice(7), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box(A).open(`enc:v1:${raw.toString('base64url')}`)).toThrow();
  });

  it('opens values sealed under a previous secret after rotation, and knows they are stale', () => {
    const old = box(A).seal('token');
    const rotated = box(B, [A]);
    expect(rotated.open(old)).toBe('token');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.seal('token'))).toBe(false);
  });

  it('seals the values of a header map, not the names', () => {
    const sealed = box(A).sealValues({ Authorization: 'Bearer t' });
    expect(Object.keys(sealed)).toEqual(['Authorization']);
    expect(box(A).openValues(sealed)).toEqual({ Authorization: 'Bearer t' });
  });
});

describe('APP_SECRET', () => {
  it('is required in production', () => {
    expect(() => readEnvironment({ NODE_ENV: 'production' })).toThrow('APP_SECRET is required when NODE_ENV=production');
    expect(readEnvironment({ NODE_ENV: 'production', APP_SECRET: A }).APP_SECRET).toBe(A);
  });

  it('must be long enough, and is never echoed', () => {
    expect(() => readEnvironment({ APP_SECRET: 'short-secret' })).toThrow(/^APP_SECRET must be at least 32 characters long$/);
  });
});
