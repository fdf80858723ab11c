import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UpstreamServer } from './upstream-server.entity.js';

/**
 * Records whether calls reach an upstream, on its row (`status`, `lastError`). Written on a change of state only, as
 * this instance knows it: a call path must not write a row per call.
 */
@Injectable()
export class UpstreamStatusWriter {
  private readonly logger = new Logger(UpstreamStatusWriter.name);
  /** Upstreams this instance recorded as failing, with the reason it wrote. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  async unreachable(upstreamId: string, reason: string): Promise<void> {
    if (this.failing.get(upstreamId) === reason) return;
    this.failing.set(upstreamId, reason);
    await this.write(upstreamId, { status: 'error', lastError: reason });
  }

  async reachable(upstreamId: string): Promise<void> {
    if (!this.failing.delete(upstreamId)) return;
    await this.write(upstreamId, { status: 'ok', lastError: null });
  }

  /** A sync wrote the row itself: the next failure is news again. */
  forget(upstreamId: string): void {
    this.failing.delete(upstreamId);
  }

  private async write(upstreamId: string, values: Pick<UpstreamServer, 'status' | 'lastError'>): Promise<void> {
    await this.dataSource
      .getRepository(UpstreamServer)
      .update({ id: upstreamId }, values)
      .catch((error: Error) => this.logger.warn(`status of upstream ${upstreamId} not recorded: ${error.message}`));
  }
}
