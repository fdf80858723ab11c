import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { secretsConfig } from '../config/configuration.js';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 4;
/** Outside production only, and said so at boot: a known key keeps zero-set-up mode working, not secret. */
const DEVELOPMENT_SECRET = 'mcp-assistant development key: set APP_SECRET in production';

interface Key {
  id: Buffer;
  bytes: Buffer;
}

function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', secret, 'mcp-assistant', 'stored-credentials v1', 32));
  return { id: createHash('sha256').update(bytes).digest().subarray(0, KEY_ID_BYTES), bytes };
}

/** The stored form was written by this box (and is not a plain value that happens to look alike). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/**
 * Encrypts credentials at rest with AES-256-GCM under a key derived (HKDF) from APP_SECRET. Each value carries the id
 * of its key, so APP_SECRET can be rotated: the earlier secrets in APP_SECRET_PREVIOUS still open what they sealed.
 */
@Injectable()
export class SecretBox {
  private readonly logger = new Logger(SecretBox.name);
  private readonly key: Key;
  private readonly keys: Key[];

  constructor(@Inject(secretsConfig.KEY) config: ConfigType<typeof secretsConfig>) {
    if (!config.current) this.logger.warn('APP_SECRET is not set: stored credentials are encrypted with the public development key');
    this.key = deriveKey(config.current ?? DEVELOPMENT_SECRET);
    this.keys = [this.key, ...config.previous.map(deriveKey)];
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key.bytes, iv);
    cipher.setAAD(this.key.id);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([this.key.id, iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  open(sealed: string): string {
    if (!isSealed(sealed)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    const id = raw.subarray(0, KEY_ID_BYTES);
    const key = this.keys.find((candidate) => candidate.id.equals(id));
    if (!key) throw new Error('sealed with a key that is neither APP_SECRET nor in APP_SECRET_PREVIOUS');
    const iv = raw.subarray(KEY_ID_BYTES, KEY_ID_BYTES + IV_BYTES);
    const tag = raw.subarray(KEY_ID_BYTES + IV_BYTES, KEY_ID_BYTES + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, iv);
    decipher.setAAD(id);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(raw.subarray(KEY_ID_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** Each value of a string map sealed (header maps): the names stay readable, the values don't. */
  sealValues(values: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, this.seal(value)]));
  }

  openValues(values: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, this.open(value)]));
  }

  /** Whether a value was sealed with an earlier key and should be sealed again under the current one. */
  isStale(sealed: string): boolean {
    return !Buffer.from(sealed.slice(PREFIX.length, PREFIX.length + 8), 'base64url').subarray(0, KEY_ID_BYTES).equals(this.key.id);
  }
}
