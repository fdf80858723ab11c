import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_FORMAT = /^(mcpa_[A-Za-z0-9]{12})_[A-Za-z0-9]{40}$/;

function randomToken(length: number): string {
  // 248 is the largest multiple of 62 below 256: bytes above it are skipped, so every character is equally likely.
  let token = '';
  while (token.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && token.length < length) token += ALPHABET[byte % 62];
    }
  }
  return token;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface IssuedApiKey {
  /** The whole key, shown to its owner once and never stored. */
  key: string;
  /** The visible, stored part that identifies the key. */
  prefix: string;
  secretHash: string;
}

/** A new key: `mcpa_<12 chars>_<40 chars>`, about 238 bits of entropy in the secret part. */
export function issueApiKey(): IssuedApiKey {
  const prefix = `mcpa_${randomToken(12)}`;
  const key = `${prefix}_${randomToken(40)}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

/** The prefix of a well-formed key, or undefined for anything else (which then can't match a stored key). */
export function apiKeyPrefix(candidate: string): string | undefined {
  return KEY_FORMAT.exec(candidate)?.[1];
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(candidate: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = Buffer.from(hashApiKey(candidate), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
