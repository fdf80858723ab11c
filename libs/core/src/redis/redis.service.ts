import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createClient } from 'redis';
import { redisConfig } from '../config/configuration.js';
import { LogThrottle } from '../logging/log-throttle.js';

export type RedisClient = ReturnType<typeof createClient>;

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

  constructor(@Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>) {
    if (config.url) this.client = this.connect('shared');
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  get ready(): boolean {
    return this.client?.isReady ?? false;
  }

  /** Prefixes a key with this deployment's namespace (`mcpa:` by default). */
  key(name: string): string {
    return `${this.config.keyPrefix}${name}`;
  }

  /** A further connection with the same resilience, for a user that needs its own (cache store, subscriber). */
  connect(purpose: string): RedisClient {
    if (!this.config.url) throw new Error('Redis is not configured');
    const client = createClient({
      url: this.config.url,
      name: `mcp-assistant:${purpose}`,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.config.connectTimeoutMs,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 5), 3000),
      },
    });
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
    if (!this.client) throw new Error('Redis is not configured');
    if (!this.client.isReady) throw new Error('Redis is not connected');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([commands(this.client), deadline]);
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
