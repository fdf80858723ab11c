import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig, RedisService } from '@app/core';
import type { UserProfile } from './principal.js';

/** What the auth guard needs to know about a key, cached under the SHA-256 of the key. */
export interface CachedApiKey {
  keyId: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  user: UserProfile;
}

const TOMBSTONE = 'invalidated' as const;
const MEMORY_ENTRIES_MAX = 10_000;
const RETRY_MS = 1000;

/**
 * Resolved API keys, in Redis when configured (shared by every instance) or in process memory.
 * Invalidation writes a short-lived tombstone rather than deleting, and fills only set absent entries (SET NX), so a
 * lookup that read the database just before a revoke can't put the old state back. An invalidation Redis refused is
 * retried until it lands; meanwhile the entries expire on their own within the TTL. Reads go through
 * `RedisService.cachedGet`, so a key in steady use costs no round trip, and a tombstone reaches every instance's copy.
 */
@Injectable()
export class ApiKeyCache implements OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly memory = new Map<string, { value: CachedApiKey | typeof TOMBSTONE; expiresAt: number }>();
  private readonly pending = new Set<string>();
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async get(secretHash: string): Promise<CachedApiKey | undefined> {
    if (!this.redis.configured) {
      const entry = this.readMemory(secretHash);
      return entry === TOMBSTONE ? undefined : entry;
    }
    const raw = await this.redis.cachedGet(this.key(secretHash)).catch(() => null);
    return raw && raw !== TOMBSTONE ? (JSON.parse(raw) as CachedApiKey) : undefined;
  }

  async fill(secretHash: string, entry: CachedApiKey): Promise<void> {
    if (!this.redis.configured) {
      if (this.readMemory(secretHash) === undefined) this.writeMemory(secretHash, entry);
      return;
    }
    const value = JSON.stringify(entry);
    await this.redis
      .run((client) => client.set(this.key(secretHash), value, { condition: 'NX', expiration: { type: 'PX', value: this.config.cacheTtlMs } }))
      .catch(() => undefined);
  }

  /** Makes the next request with any of these keys, on any instance, read the database. */
  async invalidate(secretHashes: string[]): Promise<void> {
    if (!this.redis.configured) {
      for (const hash of secretHashes) this.writeMemory(hash, TOMBSTONE);
      return;
    }
    for (const hash of secretHashes) this.pending.add(hash);
    await this.flushPending();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retryTimer);
  }

  private async flushPending(): Promise<void> {
    const hashes = [...this.pending];
    if (hashes.length === 0) return;
    try {
      await this.redis.run((client) => {
        const batch = client.multi();
        for (const hash of hashes) batch.set(this.key(hash), TOMBSTONE, { expiration: { type: 'PX', value: this.config.cacheTtlMs } });
        return batch.exec();
      });
      this.redis.forgetCached(...hashes.map((hash) => this.key(hash)));
      for (const hash of hashes) this.pending.delete(hash);
    } catch (error) {
      this.logger.warn(`could not invalidate ${hashes.length} cached API key(s), retrying: ${(error as Error).message}`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.flushPending(), RETRY_MS).unref();
    }
  }

  private key(secretHash: string): string {
    return this.redis.key(`auth:key:${secretHash}`);
  }

  private readMemory(secretHash: string): CachedApiKey | typeof TOMBSTONE | undefined {
    const entry = this.memory.get(secretHash);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.memory.delete(secretHash);
    return undefined;
  }

  private writeMemory(secretHash: string, value: CachedApiKey | typeof TOMBSTONE): void {
    this.memory.delete(secretHash);
    if (this.memory.size >= MEMORY_ENTRIES_MAX) this.memory.delete(this.memory.keys().next().value!);
    this.memory.set(secretHash, { value, expiresAt: Date.now() + this.config.cacheTtlMs });
  }
}
