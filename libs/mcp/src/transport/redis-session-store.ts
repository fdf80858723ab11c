import type { RedisService } from '@app/core';
import type { McpSessionRecord, McpSessionStore } from './session-store.js';

/**
 * Session records in Redis, one key each with the idle timeout as its TTL (GETEX renews it), so any instance can serve
 * any session and an abandoned one disappears on its own. Errors propagate: the caller decides how to degrade.
 */
export class RedisSessionStore implements McpSessionStore {
  constructor(
    private readonly redis: RedisService,
    private readonly idleMs: number,
  ) {}

  async create(record: McpSessionRecord): Promise<void> {
    await this.redis.run((client) => client.set(this.key(record.id), JSON.stringify(record), { expiration: { type: 'PX', value: this.idleMs } }));
  }

  async touch(id: string): Promise<McpSessionRecord | undefined> {
    const raw = await this.redis.run((client) => client.getEx(this.key(id), { type: 'PX', value: this.idleMs }));
    return raw ? (JSON.parse(raw) as McpSessionRecord) : undefined;
  }

  async update(record: McpSessionRecord): Promise<void> {
    // XX: a session that ended meanwhile is not brought back.
    await this.redis.run((client) => client.set(this.key(record.id), JSON.stringify(record), { expiration: { type: 'PX', value: this.idleMs }, condition: 'XX' }));
  }

  async delete(id: string): Promise<void> {
    await this.redis.run((client) => client.del(this.key(id)));
  }

  private key(id: string): string {
    return this.redis.key(`mcp:session:${id}`);
  }
}
