import { Injectable, Logger } from '@nestjs/common';
import type { Tool as RemoteTool } from '@modelcontextprotocol/client';
import { DataSource } from 'typeorm';
import { DomainException } from '@app/core';
import { AuditService, type AuditActor } from '@app/users';
import { SchemaValidator } from '../schema-validator.js';
import { ToolRegistry } from '../tool-registry.service.js';
import { upstreamUnavailable } from '../tools.errors.js';
import { importRemoteTools, skippedSummary, type SkippedRemoteTool } from './remote-tools.js';
import { UpstreamClientPool } from './upstream-client-pool.js';
import { describeFailure } from './upstream-failure.js';
import { UpstreamServer } from './upstream-server.entity.js';
import { UpstreamStatusWriter } from './upstream-status.js';
import { connectionRevision } from './upstream-tool-config.js';
import { hasChanges, UpstreamToolRows, type ToolChanges } from './upstream-tool-rows.js';
import { upstreamDisabled, upstreamNotFound } from './upstreams.errors.js';

/** tools/list may walk many pages; each is a request of its own under the SDK's per-request timeout. */
const LIST_TIMEOUT_MS = 30_000;

/** The periodic sync acts as nobody in particular. */
export const SYSTEM_ACTOR: AuditActor = { principal: null, requestId: null, ip: null };

export interface SyncReport extends ToolChanges {
  upstream: UpstreamServer;
  skipped: SkippedRemoteTool[];
}

/**
 * Imports an upstream's tools as `<upstream>.<tool>` rows of kind `mcp`: the remote list is read outside any
 * transaction, then the rows are brought in line under a lock on the upstream's row, audited when anything changed.
 */
@Injectable()
export class UpstreamSync {
  private readonly logger = new Logger(UpstreamSync.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly registry: ToolRegistry,
    private readonly pool: UpstreamClientPool,
    private readonly validator: SchemaValidator,
    private readonly status: UpstreamStatusWriter,
  ) {}

  /** 502 when the upstream can't be reached (recorded on its row), 409 when it is disabled. */
  async sync(actor: AuditActor, id: string): Promise<SyncReport> {
    const upstream = await this.dataSource.getRepository(UpstreamServer).findOneBy({ id });
    if (!upstream) throw upstreamNotFound(id);
    if (!upstream.enabled) throw upstreamDisabled(upstream.name);
    const remote = await this.listRemoteTools(upstream);
    const { imported, skipped } = importRemoteTools(upstream.name, remote, (schema) => this.validator.compile(schema));
    const changes = await this.dataSource.transaction(async (manager) => {
      const locked = await manager.getRepository(UpstreamServer).createQueryBuilder('upstream').setLock('pessimistic_write').where('upstream.id = :id', { id }).getOne();
      // Deleted or disabled while its list was read: the rows are no longer sync's to write.
      if (!locked) throw upstreamNotFound(id);
      if (!locked.enabled) throw upstreamDisabled(locked.name);
      const applied = await new UpstreamToolRows(manager, id).apply(imported, connectionRevision(locked), skipped);
      await manager.update(UpstreamServer, { id }, { status: 'ok', lastSyncAt: new Date(), lastError: skippedSummary(skipped) });
      if (hasChanges(applied)) {
        await this.audit.record(manager, actor, { action: 'upstream.synced', targetType: 'upstream', targetId: id, details: { name: locked.name, ...applied, skipped } });
      }
      return applied;
    });
    this.status.forget(id);
    if (hasChanges(changes)) await this.registry.changed();
    const synced = await this.dataSource.getRepository(UpstreamServer).findOneByOrFail({ id });
    return { upstream: synced, ...changes, skipped };
  }

  /** After a create or a change: an upstream out of reach is recorded on its row, not a failure of the request. */
  async syncIfReachable(actor: AuditActor, id: string): Promise<void> {
    await this.sync(actor, id).catch((error: unknown) => {
      if (!(error instanceof DomainException && error.status === 502)) throw error;
    });
  }

  /** Every enabled upstream, one after the other; one failing doesn't stop the rest. */
  async syncAll(actor: AuditActor): Promise<void> {
    const upstreams = await this.dataSource.getRepository(UpstreamServer).find({ where: { enabled: true }, order: { name: 'ASC' } });
    for (const upstream of upstreams) {
      await this.sync(actor, upstream.id).catch((error: Error) => this.logger.warn(`upstream ${upstream.name} not synced: ${error.message}`));
    }
  }

  private async listRemoteTools(upstream: UpstreamServer): Promise<RemoteTool[]> {
    try {
      const { client } = await this.pool.forUpstream(upstream);
      // Without a cursor the SDK follows nextCursor through every page; 'bypass' reads fresh each time.
      const { tools } = await client.listTools(undefined, { timeout: LIST_TIMEOUT_MS, cacheMode: 'bypass' });
      return tools;
    } catch (error) {
      const reason = describeFailure(error);
      this.pool.release(upstream.id);
      await this.status.unreachable(upstream.id, reason);
      throw upstreamUnavailable(upstream.name, reason);
    }
  }
}
