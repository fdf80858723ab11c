import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  isInitializedNotification,
  isInitializeRequest,
  isJSONRPCRequest,
  type AuthInfo,
  type InitializeRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  type Server,
} from '@modelcontextprotocol/server';
import { ClusterBus, LogThrottle, mcpConfig } from '@app/core';
import type { Principal } from '@app/users';
import { McpServerFactory } from '../mcp-server.factory.js';
import { BoundedEventStore } from './bounded-event-store.js';
import { DirectToolCalls, type PlainToolCall } from './direct-tool-calls.js';
import { replyRpcError } from './json-rpc-reply.js';
import { MCP_SESSION_STORE, type McpSessionRecord, type McpSessionStore } from './session-store.js';
import { SessionHost, SessionTransport } from './session-host.js';

/** How often local sessions are swept and the records of those in use renewed, at most. */
const MAX_SWEEP_INTERVAL_MS = 60_000;
/** SSE events a session keeps for clients resuming a dropped stream. */
const RESUMABLE_EVENTS = 200;
/** How long a client waits before reconnecting a stream the server closed (the SSE `retry` field). */
const RECONNECT_AFTER_MS = 500;
/** A session's record is renewed at most this often per instance (a fraction of the idle timeout). */
const RENEWALS_PER_IDLE_TIMEOUT = 10;

/** Cluster-bus topics: a session ended; messages from the client for whichever instance awaits them; a new log level. */
const SESSION_ENDED = 'mcp.session-ended';
const SESSION_MESSAGES = 'mcp.session-messages';
const SESSION_LOG_LEVEL = 'mcp.session-log-level';

interface SessionEnded {
  id: string;
}
interface SessionMessages {
  id: string;
  from: string;
  messages: JSONRPCMessage[];
}
interface SessionLogLevel {
  id: string;
  from: string;
  level: LoggingLevel;
}

/**
 * Serves 2025-era clients (2025-03-26 … 2025-11-25) with Mcp-Session-Id sessions that any instance can serve.
 *
 * A session is a record in the session store (Redis when configured): its owner and the client's `initialize`. The
 * instance a request lands on serves it from a local host (SDK transport + protocol instance), built on first use
 * by replaying the recorded handshake, so no sticky load balancing is needed. What the protocol keeps per instance
 * travels on the cluster bus: a client's answers to server requests and its cancellations reach the instance
 * running the request, DELETE ends the session everywhere, and logging/setLevel applies everywhere.
 *
 * A record expires after MCP_SESSION_IDLE_SECONDS without use; a local host idle that long is dropped, so abandoned
 * sessions never pile up in memory or in Redis.
 */
@Injectable()
export class LegacySessions implements OnModuleDestroy {
  private readonly logger = new Logger(LegacySessions.name);
  private readonly warnings = new LogThrottle(10_000);
  private readonly hosts = new Map<string, SessionHost>();
  private readonly hydrating = new Map<string, Promise<SessionHost>>();
  private readonly renewEveryMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[];

  constructor(
    @Inject(mcpConfig.KEY) private readonly config: ConfigType<typeof mcpConfig>,
    @Inject(MCP_SESSION_STORE) private readonly store: McpSessionStore,
    private readonly factory: McpServerFactory,
    private readonly bus: ClusterBus,
    private readonly direct: DirectToolCalls,
  ) {
    this.renewEveryMs = config.sessionIdleMs / RENEWALS_PER_IDLE_TIMEOUT;
    // A quarter of the idle timeout: a session whose only use is an open stream is renewed well before it expires.
    const interval = Math.min(MAX_SWEEP_INTERVAL_MS, config.sessionIdleMs / 4);
    this.sweeper = setInterval(() => void this.closeIdle().catch((error: Error) => this.logger.warn(`MCP sessions not swept: ${error.message}`)), interval);
    this.sweeper.unref();
    this.unsubscribe = [
      bus.subscribe<SessionEnded>(SESSION_ENDED, ({ id }) => this.dropHost(id)),
      bus.subscribe<SessionMessages>(SESSION_MESSAGES, (event) => this.deliverRelayed(event)),
      bus.subscribe<SessionLogLevel>(SESSION_LOG_LEVEL, (event) => void this.applyLogLevel(event)),
    ];
  }

  /** `call`: the request as a plain tools/call the direct path may answer (DirectToolCalls.sessionCall), if it is one. */
  async handle(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown, principal: Principal, call?: PlainToolCall): Promise<void> {
    const id = request.headers['mcp-session-id'];
    if (typeof id !== 'string') {
      if (request.method === 'POST' && isInitializeRequest(body)) return this.open(request, response, body, principal);
      return replyRpcError(response, 400, -32000, 'Bad Request: no Mcp-Session-Id header; start a session with initialize.');
    }
    const host = await this.find(id, principal);
    if (!host) return replyRpcError(response, 404, -32001, 'Session not found');
    await this.serve(host, request, response, body, principal, call);
  }

  /** The protocol instances of the sessions this instance holds, for notifications every session should get. */
  localServers(): Server[] {
    return [...this.hosts.values()].map((host) => host.server);
  }

  /**
   * Drops local hosts unused since `now - idle timeout` and renews the records of those with a stream open; returns
   * how many were dropped. Their records expire on their own unless another instance keeps using them.
   */
  async closeIdle(now = Date.now()): Promise<number> {
    const cutoff = now - this.config.sessionIdleMs;
    let dropped = 0;
    for (const host of [...this.hosts.values()]) {
      if (host.open === 0 && host.lastSeen < cutoff) {
        this.dropHost(host.id);
        dropped++;
      } else if (host.open > 0) {
        await this.renew(host);
      }
    }
    return dropped;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    // The records stay: another instance goes on serving these sessions.
    await Promise.all([...this.hosts.keys()].map((id) => this.dropHost(id)));
  }

  private async open(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, initialize: InitializeRequest, principal: Principal): Promise<void> {
    let host: SessionHost | undefined;
    const { server, transport } = await this.build(randomUUID, async (id) => {
      const record: McpSessionRecord = { id, ownerId: principal.userId, initialize: initialize.params };
      host = new SessionHost(record, server, transport);
      this.hosts.set(id, host);
      await this.store.create(record).catch((error: Error) => this.warn(`session ${id} is served by this instance only: ${error.message}`));
    });
    try {
      await toNodeHandler(transport)(request, response, initialize);
    } finally {
      // An initialize that failed (bad version, bad params) opened nothing: don't keep its instance.
      if (!host) await server.close();
    }
  }

  /** The local host of a session the caller owns: renewing its record now and then, built from the record if new here. */
  private async find(id: string, principal: Principal): Promise<SessionHost | undefined> {
    const host = this.hosts.get(id);
    if (host && Date.now() - host.renewedAt < this.renewEveryMs) return host.ownedBy(principal) ? host : undefined;
    let record: McpSessionRecord | undefined;
    try {
      record = await this.store.touch(id);
    } catch (error) {
      // The store is unreachable: serve what this instance holds; a session it doesn't hold is unknown here.
      this.warn(`session store unavailable: ${(error as Error).message}`);
      return host?.ownedBy(principal) ? host : undefined;
    }
    if (!record) {
      this.dropHost(id);
      return undefined;
    }
    if (record.ownerId !== principal.userId) return undefined;
    if (host) {
      host.renewedAt = Date.now();
      return host;
    }
    return this.hydrate(record);
  }

  /** Builds a local host for a session opened elsewhere, once even when several of its requests arrive together. */
  private hydrate(record: McpSessionRecord): Promise<SessionHost> {
    let pending = this.hydrating.get(record.id);
    if (!pending) {
      pending = this.rebuild(record).finally(() => this.hydrating.delete(record.id));
      this.hydrating.set(record.id, pending);
    }
    return pending;
  }

  private async rebuild(record: McpSessionRecord): Promise<SessionHost> {
    const { server, transport } = await this.build(() => record.id);
    const host = new SessionHost(record, server, transport);
    // The same handshake the client made, so the protocol instance knows its version, capabilities and level.
    await host.replay({ jsonrpc: '2.0', id: 'session-restore', method: 'initialize', params: record.initialize });
    await host.replay({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (record.logLevel) await host.replay({ jsonrpc: '2.0', id: 'session-restore-level', method: 'logging/setLevel', params: { level: record.logLevel } });
    this.hosts.set(record.id, host);
    return host;
  }

  private async build(sessionId: () => string, onInitialized?: (id: string) => Promise<void>): Promise<{ server: Server; transport: SessionTransport }> {
    const server = this.factory.build();
    const transport = new SessionTransport({
      sessionIdGenerator: sessionId,
      eventStore: new BoundedEventStore(RESUMABLE_EVENTS),
      retryInterval: RECONNECT_AFTER_MS,
      onsessioninitialized: onInitialized,
      // The client's DELETE: the session ends on every instance.
      onsessionclosed: (id) => this.end(id!),
    });
    await server.connect(transport);
    return { server, transport };
  }

  private async serve(host: SessionHost, request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown, principal: Principal, call?: PlainToolCall): Promise<void> {
    host.begin();
    // A GET stream stays open after the handler returns: the session is in use until the response closes. A client
    // that gave up before we got here has closed it already, and 'close' won't fire again: count it done at once, or
    // the session would look in use forever and never be swept.
    if (response.closed) host.end();
    else response.once('close', () => host.end());
    if (call) return this.direct.answerSession(call, principal, response, host.id, host.directCalls);
    await host.serveNode(request, response, body);
    if (request.method === 'POST') await this.shareClientMessages(host, body);
  }

  /**
   * What the client posted that the protocol instance of another instance may be waiting for — answers to its
   * requests (sampling, elicitation, roots), cancellations — and a new log level, go to the other instances too.
   */
  private async shareClientMessages(host: SessionHost, body: unknown): Promise<void> {
    const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    host.cancelDirectCalls(messages);
    const relayed = messages.filter((message) => !isJSONRPCRequest(message) && !isInitializedNotification(message));
    if (relayed.length) await this.bus.publish<SessionMessages>(SESSION_MESSAGES, { id: host.id, from: this.bus.instanceId, messages: relayed });
    const setLevel = messages.find((message) => isJSONRPCRequest(message) && message.method === 'logging/setLevel');
    if (setLevel && isJSONRPCRequest(setLevel)) {
      const level = (setLevel.params as { level: LoggingLevel }).level;
      host.record.logLevel = level;
      await this.store.update(host.record).catch((error: Error) => this.warn(`log level of session ${host.id} not stored: ${error.message}`));
      await this.bus.publish<SessionLogLevel>(SESSION_LOG_LEVEL, { id: host.id, from: this.bus.instanceId, level });
    }
  }

  private deliverRelayed({ id, from, messages }: SessionMessages): void {
    const host = this.hosts.get(id);
    if (!host || from === this.bus.instanceId) return;
    host.cancelDirectCalls(messages);
    for (const message of messages) host.transport.onmessage?.(message);
  }

  private async applyLogLevel({ id, from, level }: SessionLogLevel): Promise<void> {
    const host = this.hosts.get(id);
    if (!host || from === this.bus.instanceId) return;
    host.record.logLevel = level;
    await host.replay({ jsonrpc: '2.0', id: 'session-level', method: 'logging/setLevel', params: { level } }).catch((error: Error) => this.warn(`log level not applied: ${error.message}`));
  }

  private async end(id: string): Promise<void> {
    await this.store.delete(id).catch((error: Error) => this.warn(`ended session ${id} left in the store until it expires: ${error.message}`));
    await this.bus.publish<SessionEnded>(SESSION_ENDED, { id });
  }

  private async renew(host: SessionHost): Promise<void> {
    const record = await this.store.touch(host.id).catch(() => host.record);
    if (record) host.renewedAt = Date.now();
    else this.dropHost(host.id);
  }

  private dropHost(id: string): void {
    const host = this.hosts.get(id);
    if (!host) return;
    this.hosts.delete(id);
    void host.server.close().catch((error: Error) => this.logger.warn(`MCP session ${id} did not close cleanly: ${error.message}`));
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
