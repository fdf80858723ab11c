import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isInitializeRequest, type AuthInfo } from '@modelcontextprotocol/server';
import { mcpConfig } from '@app/core';
import type { Principal } from '@app/users';
import { McpServerFactory } from '../mcp-server.factory.js';
import { BoundedEventStore } from './bounded-event-store.js';
import { replyRpcError } from './json-rpc-reply.js';
import { MCP_SESSION_STORE, type McpSession, type McpSessionStore } from './session-store.js';

/** How often idle sessions are looked for, at most. */
const MAX_SWEEP_INTERVAL_MS = 60_000;
/** SSE events a session keeps for clients resuming a dropped stream. */
const RESUMABLE_EVENTS = 200;
/** How long a client waits before reconnecting a stream the server closed (the SSE `retry` field). */
const RECONNECT_AFTER_MS = 500;

/**
 * Serves 2025-era clients (2025-03-26 … 2025-11-25) with Mcp-Session-Id sessions: `initialize` opens one, every
 * later request names it, DELETE ends it. A session belongs to the user who opened it, and one idle longer than
 * MCP_SESSION_IDLE_SECONDS is closed, so abandoned sessions never pile up.
 */
@Injectable()
export class LegacySessions implements OnModuleDestroy {
  private readonly logger = new Logger(LegacySessions.name);
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(mcpConfig.KEY) private readonly config: ConfigType<typeof mcpConfig>,
    @Inject(MCP_SESSION_STORE) private readonly store: McpSessionStore,
    private readonly factory: McpServerFactory,
  ) {
    const interval = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(1000, config.sessionIdleMs / 4));
    this.sweeper = setInterval(() => void this.closeIdle().catch((error: Error) => this.logger.warn(`idle MCP sessions not swept: ${error.message}`)), interval);
    this.sweeper.unref();
  }

  async handle(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    const id = request.headers['mcp-session-id'];
    if (typeof id !== 'string') {
      if (request.method === 'POST' && isInitializeRequest(body)) return this.open(request, response, body, principal);
      return replyRpcError(response, 400, -32000, 'Bad Request: no Mcp-Session-Id header; start a session with initialize.');
    }
    const session = await this.store.get(id);
    if (!session || session.ownerId !== principal.userId) return replyRpcError(response, 404, -32001, 'Session not found');
    await this.serve(session, request, response, body);
  }

  /** Closes sessions unused for longer than the idle timeout; returns how many. */
  async closeIdle(now = Date.now()): Promise<number> {
    const idle = await this.store.idleSince(now - this.config.sessionIdleMs);
    await Promise.all(idle.map((session) => this.close(session)));
    return idle.length;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all((await this.store.all()).map((session) => this.close(session)));
  }

  private async open(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    const server = this.factory.build();
    let session: McpSession | undefined;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new BoundedEventStore(RESUMABLE_EVENTS),
      retryInterval: RECONNECT_AFTER_MS,
      onsessioninitialized: async (id) => {
        session = { id, ownerId: principal.userId, transport, server, lastSeen: Date.now(), open: 0 };
        await this.store.save(session);
      },
      // The client's DELETE; an idle close and shutdown go through close().
      onsessionclosed: async (id) => {
        await this.store.delete(id);
        void server.close();
      },
    });
    await server.connect(transport);
    try {
      await transport.handleRequest(request, response, body);
    } finally {
      // An initialize that failed (bad version, bad params) opened nothing: don't keep its instance.
      if (!session) await server.close();
    }
  }

  private async serve(session: McpSession, request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown): Promise<void> {
    session.open++;
    session.lastSeen = Date.now();
    // A GET stream stays open after handleRequest returns: the session is in use until the response closes.
    response.once('close', () => {
      session.open--;
      session.lastSeen = Date.now();
    });
    await session.transport.handleRequest(request, response, body);
  }

  private async close(session: McpSession): Promise<void> {
    await this.store.delete(session.id);
    await session.server.close().catch((error: Error) => this.logger.warn(`MCP session ${session.id} did not close cleanly: ${error.message}`));
  }
}
