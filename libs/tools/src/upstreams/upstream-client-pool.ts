import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { DataSource } from 'typeorm';
import { APP_VERSION, SecretBox, toolsConfig } from '@app/core';
import { SafeHttpClient } from '../http/safe-http-client.js';
import { describeFailure } from './upstream-failure.js';
import { UpstreamServer } from './upstream-server.entity.js';
import { connectionRevision } from './upstream-tool-config.js';

/** A pooled client not used for this long is closed: its upstream may be gone (deleted on another instance). */
const IDLE_MS = 10 * 60_000;
const SWEEP_MS = 60_000;

interface Pooled {
  upstreamId: string;
  upstreamName: string;
  revision: string;
  client: Client;
  connected: Promise<Client>;
  lastUsed: number;
}

export interface UpstreamClient {
  client: Client;
  upstreamName: string;
}

/** The upstream was deleted after the tool was loaded. */
export class UpstreamGoneError extends Error {}

/**
 * One MCP client per upstream and instance, from the official SDK over Streamable HTTP, shared by every call to that
 * upstream. Connected on first use within UPSTREAM_CONNECT_TIMEOUT_MS; replaced when the upstream's URL or headers
 * change (its revision) or its connection breaks; closed when idle, on delete and on shutdown.
 */
@Injectable()
export class UpstreamClientPool implements OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamClientPool.name);
  private readonly pooled = new Map<string, Pooled>();
  private readonly sweeper = setInterval(() => this.closeIdle(), SWEEP_MS).unref();

  constructor(
    @Inject(toolsConfig.KEY) private readonly config: ConfigType<typeof toolsConfig>,
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly http: SafeHttpClient,
  ) {}

  /** The client for a tool's upstream; reads the upstream's row only when the pool has no client of `revision`. */
  async forTool(upstreamId: string, revision: string, signal?: AbortSignal): Promise<UpstreamClient> {
    let entry = this.pooled.get(upstreamId);
    if (entry?.revision !== revision) {
      const upstream = await this.dataSource.getRepository(UpstreamServer).findOneBy({ id: upstreamId });
      if (!upstream) throw new UpstreamGoneError(`upstream ${upstreamId} no longer exists`);
      entry = this.entryFor(upstream);
    }
    return this.ready(entry, signal);
  }

  /** The client for an upstream whose row the caller holds (sync). */
  forUpstream(upstream: UpstreamServer, signal?: AbortSignal): Promise<UpstreamClient> {
    return this.ready(this.entryFor(upstream), signal);
  }

  /** Drops the upstream's client (deleted, disabled, or its connection failed); the next call connects afresh. */
  release(upstreamId: string): void {
    const entry = this.pooled.get(upstreamId);
    if (entry) this.close(entry);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    const entries = [...this.pooled.values()];
    this.pooled.clear();
    await Promise.allSettled(entries.map((entry) => entry.client.close()));
  }

  private entryFor(upstream: UpstreamServer): Pooled {
    const revision = connectionRevision(upstream);
    const current = this.pooled.get(upstream.id);
    if (current?.revision === revision) return current;
    if (current) this.close(current);
    const entry = this.connect(upstream, revision);
    this.pooled.set(upstream.id, entry);
    return entry;
  }

  private async ready(entry: Pooled, signal?: AbortSignal): Promise<UpstreamClient> {
    entry.lastUsed = Date.now();
    // The connection is shared: one caller giving up must not abort it for the others.
    const client = await (signal ? abortable(entry.connected, signal) : entry.connected);
    return { client, upstreamName: entry.upstreamName };
  }

  private connect(upstream: UpstreamServer, revision: string): Pooled {
    // 'auto' speaks 2026-07-28 to servers that do, and the 2025 handshake to the rest.
    const client = new Client({ name: 'mcp-assistant', version: APP_VERSION }, { versionNegotiation: { mode: 'auto' } });
    const transport = new StreamableHTTPClientTransport(new URL(upstream.url), {
      requestInit: { headers: this.secrets.openValues(upstream.headers) },
      // The outbound guard of HTTP tools: an upstream on a private or metadata address needs TOOLS_HTTP_ALLOWLIST.
      fetch: this.http.fetch,
      // A broken background stream is retried a little, then the next call reconnects through the pool.
      reconnectionOptions: { initialReconnectionDelay: 1000, maxReconnectionDelay: 5000, reconnectionDelayGrowFactor: 2, maxRetries: 2 },
    });
    const entry: Pooled = { upstreamId: upstream.id, upstreamName: upstream.name, revision, client, connected: Promise.resolve(client), lastUsed: Date.now() };
    client.onclose = () => this.forget(entry);
    client.onerror = (error) => this.logger.debug(`upstream ${upstream.name}: ${describeFailure(error)}`);
    entry.connected = client.connect(transport, { timeout: this.config.upstreamConnectTimeoutMs }).then(
      () => client,
      (error: unknown) => {
        this.close(entry);
        throw error;
      },
    );
    // Rejections are handled by whoever awaits; this keeps one nobody awaited from being reported as unhandled.
    entry.connected.catch(() => undefined);
    return entry;
  }

  private close(entry: Pooled): void {
    this.forget(entry);
    entry.client.close().catch(() => undefined);
  }

  private forget(entry: Pooled): void {
    if (this.pooled.get(entry.upstreamId) === entry) this.pooled.delete(entry.upstreamId);
  }

  private closeIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const entry of this.pooled.values()) if (entry.lastUsed < cutoff) this.close(entry);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
