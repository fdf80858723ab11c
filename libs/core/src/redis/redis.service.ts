import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createClient, type RedisClientOptions } from 'redis';
import { redisConfig } from '../config/configuration.js';
import { LogThrottle } from '../logging/log-throttle.js';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * How long a value read through `cachedGet` may be answered from memory at most. Redis says when a key changes (see
 * `cachedGet`); this bounds what a lost notice could cost, such as one due while the connection hung without failing.
 */
const CACHED_READ_TTL_MS = 5_000;
const CACHED_READ_ENTRIES_MAX = 10_000;

/**
 * Redis connections for the app, or none when REDIS_URL is unset. Every connection is opened in the background and
 * retried forever; commands fail at once while Redis is unreachable (no offline queue), so a dead Redis never holds
 * a request or the shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly connections: RedisClient[] = [];
  private readonly warnings = new LogThrottle(10_000);
  /** The shared connection for commands: locks, counters, publishing. */
  readonly client?: RedisClient;
  /** The connection `cachedGet` reads through, with Redis tracking what it read. */
  private trackedClient?: RedisClient;

  constructor(@Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>) {
    if (!config.url) return;
    this.client = this.connect('shared');
    this.trackedClient = this.connect('tracked-reads', {
      RESP: 3,
      clientSideCache: { ttl: CACHED_READ_TTL_MS, maxEntries: CACHED_READ_ENTRIES_MAX, evictPolicy: 'LRU', recordStats: false },
    });
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  get ready(): boolean {
    return this.client?.isReady ?? false;
  }

  /** Whether `cachedGet` answers from memory now: its connection, with client tracking on, is up. */
  get cachingReads(): boolean {
    return this.trackedClient?.isReady ?? false;
  }

  /** Prefixes a key with this deployment's namespace (`mcpa:` by default). */
  key(name: string): string {
    return `${this.config.keyPrefix}${name}`;
  }

  /**
   * GET under the same deadline as `run`, answered from this instance's memory while Redis vouches for the value:
   * the connection has client tracking on (Redis's server-assisted client-side caching, as node-redis implements it),
   * so Redis notifies it as soon as any connection writes a key it read, or the key expires or is evicted, and the
   * next read asks Redis again. A connection that fails drops all it held. Meant for small keys read on every request
   * and seldom written (a resolved API key, the registry version): a write is seen once Redis's notice, sent as the
   * write happens, has arrived, instead of a round trip on every read. While that connection is not
   * up (a Redis without client tracking, before 6, refuses it) reads go to the shared connection uncached.
   */
  async cachedGet(key: string, timeoutMs = this.config.connectTimeoutMs): Promise<string | null> {
    const client = this.cachingReads ? this.trackedClient : this.client;
    return this.withDeadline(client, (ready) => ready.get(key), timeoutMs);
  }

  /**
   * Drops this instance's copies of keys it just wrote, so its next `cachedGet` asks Redis even if Redis's notice of
   * the write, which travels on another connection, hasn't been read yet. Other instances rely on the notice.
   */
  forgetCached(...keys: string[]): void {
    for (const key of keys) this.trackedClient?.clientSideCache?.invalidate(key);
  }

  /**
   * A further connection with the same resilience, for a user that needs its own (cache store, subscriber); `options`
   * adds to or overrides the defaults (RESP3 and client-side caching for the tracked reads).
   */
  connect(purpose: string, options: Partial<RedisClientOptions> = {}): RedisClient {
    if (!this.config.url) throw new Error('Redis is not configured');
    const client = createClient({
      url: this.config.url,
      name: `mcp-assistant:${purpose}`,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.config.connectTimeoutMs,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 5), 3000),
      },
      ...options,
    }) as RedisClient;
    client.on('error', (error: Error) => this.logThrottled(error));
    client.connect().catch((error: Error) => this.logThrottled(error));
    this.connections.push(client);
    return client;
  }

  /**
   * Runs commands on the shared connection under a deadline; rejects at once when Redis is not configured or not
   * connected, so callers on a request's path can fall back instead of waiting.
   */
  async run<T>(commands: (client: RedisClient) => Promise<T>, timeoutMs = this.config.connectTimeoutMs): Promise<T> {
    return this.withDeadline(this.client, commands, timeoutMs);
  }

  private async withDeadline<T>(client: RedisClient | undefined, commands: (client: RedisClient) => Promise<T>, timeoutMs: number): Promise<T> {
    if (!client) throw new Error('Redis is not configured');
    if (!client.isReady) throw new Error('Redis is not connected');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([commands(client), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** PING with a deadline; rejects when Redis is not configured, down, or slow. */
  async ping(timeoutMs = this.config.connectTimeoutMs): Promise<void> {
    await this.run((client) => client.ping(), timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.connections.filter((client) => client.isOpen).map((client) =>
        // close() lets sent commands finish; destroy() never waits on a server that is gone.
        client.isReady ? client.close().catch(() => client.destroy()) : client.destroy(),
      ),
    );
  }

  private logThrottled(error: Error): void {
    if (this.warnings.allow()) this.logger.warn(`Redis unavailable: ${error.message || error.name}`);
  }
}
