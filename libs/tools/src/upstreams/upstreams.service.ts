import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, keysetPage, SecretBox, type Page } from '@app/core';
import { AuditService, type Actor } from '@app/users';
import { ToolRegistry } from '../tool-registry.service.js';
import { CreateUpstreamDto, UpdateUpstreamDto, UpstreamListQueryDto } from './upstream.dto.js';
import { UpstreamClientPool } from './upstream-client-pool.js';
import { UpstreamServer } from './upstream-server.entity.js';
import { UpstreamStatusWriter } from './upstream-status.js';
import { UpstreamSync } from './upstream-sync.service.js';
import { connectionRevision } from './upstream-tool-config.js';
import { UpstreamToolRows } from './upstream-tool-rows.js';
import { upstreamNameTaken, upstreamNotFound } from './upstreams.errors.js';

/**
 * The upstream registry: each change is audited in its transaction (header names only, never values), brings the
 * upstream's tool rows along (disabled with it, deleted with it), and reaches every instance through the registry.
 */
@Injectable()
export class UpstreamsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
    private readonly registry: ToolRegistry,
    private readonly pool: UpstreamClientPool,
    private readonly status: UpstreamStatusWriter,
    private readonly sync: UpstreamSync,
  ) {}

  /** Registers the upstream and syncs it at once; one out of reach is created all the same, with status `error`. */
  async create(actor: Actor, input: CreateUpstreamDto): Promise<UpstreamServer> {
    let upstream: UpstreamServer;
    try {
      upstream = await this.dataSource.transaction(async (manager) => {
        const saved = await manager.save(
          manager.create(UpstreamServer, { name: input.name, url: input.url, headers: this.secrets.sealValues(input.headers ?? {}), enabled: input.enabled ?? true }),
        );
        await this.audit.record(manager, actor, {
          action: 'upstream.created',
          targetType: 'upstream',
          targetId: saved.id,
          details: { name: saved.name, url: saved.url, headerNames: Object.keys(saved.headers).sort(), enabled: saved.enabled },
        });
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw upstreamNameTaken(input.name);
      throw error;
    }
    if (upstream.enabled) await this.sync.syncIfReachable(actor, upstream.id);
    return this.get(upstream.id);
  }

  list(query: UpstreamListQueryDto): Promise<Page<UpstreamServer>> {
    const upstreams = this.dataSource.getRepository(UpstreamServer).createQueryBuilder('upstream');
    if (query.status) upstreams.andWhere('upstream.status = :status', { status: query.status });
    if (query.enabled !== undefined) upstreams.andWhere('upstream.enabled = :enabled', { enabled: query.enabled });
    return keysetPage(upstreams, query);
  }

  async get(id: string): Promise<UpstreamServer> {
    const upstream = await this.dataSource.getRepository(UpstreamServer).findOneBy({ id });
    if (!upstream) throw upstreamNotFound(id);
    return upstream;
  }

  /** A new URL or headers reconnect every instance's client; disabling suspends the tools, enabling brings them back and syncs. */
  async update(actor: Actor, id: string, input: UpdateUpstreamDto): Promise<UpstreamServer> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(manager, id);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (input.url !== undefined && input.url !== current.url) changes.url = { from: current.url, to: input.url };
      if (input.enabled !== undefined && input.enabled !== current.enabled) changes.enabled = { from: current.enabled, to: input.enabled };
      if (input.headers !== undefined && !this.sameHeaders(current.headers, input.headers)) {
        changes.headers = { from: Object.keys(current.headers).sort(), to: Object.keys(input.headers).sort() };
      }
      if (Object.keys(changes).length === 0) return { reconnect: false, resync: false };
      const reconnect = Boolean(changes.url || changes.headers);
      Object.assign(current, {
        url: input.url ?? current.url,
        enabled: input.enabled ?? current.enabled,
        headers: changes.headers ? this.secrets.sealValues(input.headers ?? {}) : current.headers,
      });
      await manager.save(current);
      const rows = new UpstreamToolRows(manager, id);
      if (reconnect) await rows.revise(connectionRevision(current));
      if (changes.enabled) await (current.enabled ? rows.resume('upstream-disabled') : rows.suspendAll('upstream-disabled'));
      await this.audit.record(manager, actor, { action: 'upstream.updated', targetType: 'upstream', targetId: id, details: { name: current.name, changes } });
      return { reconnect: reconnect || !current.enabled, resync: current.enabled };
    });
    if (outcome.reconnect) this.pool.release(id);
    if (outcome.reconnect || outcome.resync) {
      this.status.forget(id);
      await this.registry.changed();
    }
    if (outcome.resync) await this.sync.syncIfReachable(actor, id);
    return this.get(id);
  }

  /** Deletes the upstream and every tool it brought. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const upstream = await this.lock(manager, id);
      const tools = await new UpstreamToolRows(manager, id).deleteAll();
      await manager.delete(UpstreamServer, { id });
      await this.audit.record(manager, actor, { action: 'upstream.deleted', targetType: 'upstream', targetId: id, details: { name: upstream.name, url: upstream.url, tools } });
    });
    this.pool.release(id);
    this.status.forget(id);
    await this.registry.changed();
  }

  private async lock(manager: EntityManager, id: string): Promise<UpstreamServer> {
    const upstream = await manager.getRepository(UpstreamServer).createQueryBuilder('upstream').setLock('pessimistic_write').where('upstream.id = :id', { id }).getOne();
    if (!upstream) throw upstreamNotFound(id);
    return upstream;
  }

  /** Sealed values differ on every seal: compare what they open to. */
  private sameHeaders(sealed: Record<string, string>, given: Record<string, string>): boolean {
    const current = this.secrets.openValues(sealed);
    const names = Object.keys(given);
    return names.length === Object.keys(current).length && names.every((name) => current[name] === given[name]);
  }
}
