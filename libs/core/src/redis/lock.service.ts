import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { LogThrottle } from '../logging/log-throttle.js';
import { RedisService } from './redis.service.js';

export type LockResult<T> = { ran: true; value: T } | { ran: false };

/** Deletes the lock only while it still holds our token: after a TTL expiry it may belong to another instance. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Named mutual exclusion for singleton jobs: across every instance through Redis (SET NX PX, released by token), or
 * within the process when Redis is not configured (the embedded mode is one instance). With Redis configured but
 * unreachable nothing runs: a job skipped once is safer than a job run twice.
 */
@Injectable()
export class LockService {
  private readonly logger = new Logger(LockService.name);
  private readonly held = new Set<string>();
  private readonly warnings = new LogThrottle(60_000);

  constructor(private readonly redis: RedisService) {}

  /**
   * Runs the task if no one else holds `name`, and releases it after, whether the task succeeds or throws.
   * The lock expires after ttlMs even if its holder dies, so ttlMs must outlast the task.
   */
  async runExclusive<T>(name: string, ttlMs: number, task: () => Promise<T>): Promise<LockResult<T>> {
    return this.redis.configured ? this.runOnRedis(name, ttlMs, task) : this.runInProcess(name, task);
  }

  private async runInProcess<T>(name: string, task: () => Promise<T>): Promise<LockResult<T>> {
    if (this.held.has(name)) return { ran: false };
    this.held.add(name);
    try {
      return { ran: true, value: await task() };
    } finally {
      this.held.delete(name);
    }
  }

  private async runOnRedis<T>(name: string, ttlMs: number, task: () => Promise<T>): Promise<LockResult<T>> {
    const key = this.redis.key(`lock:${name}`);
    const token = randomBytes(16).toString('hex');
    let acquired: boolean;
    try {
      const reply = await this.redis.run((client) =>
        client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }),
      );
      acquired = reply === 'OK';
    } catch (error) {
      this.warnThrottled(`lock "${name}" not taken, task skipped: ${(error as Error).message}`);
      return { ran: false };
    }
    if (!acquired) return { ran: false };
    try {
      return { ran: true, value: await task() };
    } finally {
      // A release Redis refuses is harmless: the lock expires by itself after ttlMs.
      await this.redis
        .run((client) => client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [token] }))
        .catch((error: Error) => this.warnThrottled(`lock "${name}" not released, expires in ${ttlMs} ms: ${error.message}`));
    }
  }

  private warnThrottled(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
