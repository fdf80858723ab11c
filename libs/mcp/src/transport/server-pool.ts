import type { Server } from '@modelcontextprotocol/server';

/** Idle instances kept beyond this are dropped: a burst's extra instances don't stay in memory. */
const MAX_IDLE = 64;

/**
 * Reuses protocol instances across modern (2026-07-28) requests. The SDK asks its factory for an instance per request
 * and closes it when the exchange ends; building one per request costs most of the throughput, so a closed instance
 * comes back here and serves a later request. Instances hold no caller state (the principal rides on each request).
 */
export class McpServerPool {
  private readonly idle: Server[] = [];
  private readonly pooled = new WeakSet<Server>();

  constructor(private readonly build: () => Server) {}

  acquire(): Server {
    const server = this.idle.pop();
    if (server) {
      this.pooled.delete(server);
      return server;
    }
    return this.create();
  }

  get idleCount(): number {
    return this.idle.length;
  }

  private create(): Server {
    const server = this.build();
    server.onclose = () => {
      // onclose may fire more than once per exchange; an instance must never sit in the pool twice.
      if (this.pooled.has(server) || this.idle.length >= MAX_IDLE) return;
      this.pooled.add(server);
      this.idle.push(server);
    };
    return server;
  }
}
