import type { ClientCapabilities, Implementation, LoggingLevel } from '@modelcontextprotocol/server';

/**
 * What a 2025-era session is, independent of the instance serving it: whose it is and the handshake that opened it.
 * Any instance can rebuild the session's protocol state from this record by replaying the handshake.
 */
export interface McpSessionRecord {
  id: string;
  /** The user who opened it; anyone else gets 404, as if it did not exist. */
  ownerId: string;
  /** The client's `initialize` params, replayed on an instance that has not served the session yet. */
  initialize: { protocolVersion: string; capabilities: ClientCapabilities; clientInfo: Implementation };
  /** The level the client asked for with logging/setLevel, if it did. */
  logLevel?: LoggingLevel;
}

/**
 * Where session records live: Redis when configured (shared by every instance), memory otherwise. A record expires
 * when unused for the idle timeout; reading it through `touch` starts the timeout again.
 */
export interface McpSessionStore {
  create(record: McpSessionRecord): Promise<void>;
  /** The record, its idle timeout started again; undefined when it ended, expired or never existed. */
  touch(id: string): Promise<McpSessionRecord | undefined>;
  update(record: McpSessionRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

export const MCP_SESSION_STORE = Symbol('McpSessionStore');

/** The embedded mode's store: one instance, so memory; expired records are dropped when read or swept. */
export class InMemorySessionStore implements McpSessionStore {
  private readonly records = new Map<string, { record: McpSessionRecord; expiresAt: number }>();

  constructor(private readonly idleMs: number) {}

  async create(record: McpSessionRecord): Promise<void> {
    this.purgeExpired();
    this.records.set(record.id, { record, expiresAt: Date.now() + this.idleMs });
  }

  async touch(id: string): Promise<McpSessionRecord | undefined> {
    const entry = this.records.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.records.delete(id);
      return undefined;
    }
    entry.expiresAt = Date.now() + this.idleMs;
    return entry.record;
  }

  async update(record: McpSessionRecord): Promise<void> {
    const entry = this.records.get(record.id);
    if (entry) entry.record = record;
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }

  private purgeExpired(now = Date.now()): void {
    for (const [id, entry] of this.records) if (entry.expiresAt <= now) this.records.delete(id);
  }
}
