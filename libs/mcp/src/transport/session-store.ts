import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { Server } from '@modelcontextprotocol/server';

/** A 2025-era session: the transport and protocol instance that serve it, and whose it is. */
export interface McpSession {
  id: string;
  /** The user who opened it; anyone else gets 404, as if it did not exist. */
  ownerId: string;
  transport: NodeStreamableHTTPServerTransport;
  server: Server;
  /** When its last request ended (or started, while one is open). */
  lastSeen: number;
  /** Requests and GET streams open right now: a session in use is never idle. */
  open: number;
}

/**
 * Where sessions are kept. In memory for now; the Redis-backed store that lets any instance serve a session keeps
 * the metadata there and rebuilds the transport on the instance a request lands on, behind this same interface.
 */
export interface McpSessionStore {
  get(id: string): Promise<McpSession | undefined>;
  save(session: McpSession): Promise<void>;
  delete(id: string): Promise<void>;
  /** Sessions with nothing open whose last request ended before `cutoff` (ms since the epoch). */
  idleSince(cutoff: number): Promise<McpSession[]>;
  all(): Promise<McpSession[]>;
}

export const MCP_SESSION_STORE = Symbol('McpSessionStore');

export class InMemorySessionStore implements McpSessionStore {
  private readonly sessions = new Map<string, McpSession>();

  async get(id: string): Promise<McpSession | undefined> {
    return this.sessions.get(id);
  }

  async save(session: McpSession): Promise<void> {
    this.sessions.set(session.id, session);
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async idleSince(cutoff: number): Promise<McpSession[]> {
    return [...this.sessions.values()].filter((session) => session.open === 0 && session.lastSeen < cutoff);
  }

  async all(): Promise<McpSession[]> {
    return [...this.sessions.values()];
  }
}
