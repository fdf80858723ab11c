import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { keysetPage, Page } from '@app/core';
import { AuditEvent } from './entities/audit-event.entity.js';
import { AuditQueryDto } from './dto/audit-event.dto.js';
import type { AuditActor } from './principal.js';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** The audit trail: written through the caller's transaction, so a change and its record commit or fail together. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, actor: AuditActor, ...entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.save(
      AuditEvent,
      entries.map((entry) => ({
        actorId: actor.principal?.userId ?? null,
        actorKeyId: actor.principal?.keyId ?? null,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        requestId: actor.requestId,
        ip: actor.ip,
        details: entry.details ?? {},
      })),
      { reload: false },
    );
  }

  list(query: AuditQueryDto): Promise<Page<AuditEvent>> {
    const events = this.dataSource.getRepository(AuditEvent).createQueryBuilder('event');
    if (query.actorId) events.andWhere('event.actor_id = :actorId', { actorId: query.actorId });
    if (query.action?.endsWith('.*')) events.andWhere('event.action LIKE :action', { action: `${query.action.slice(0, -1).replace(/_/g, '\\_')}%` });
    else if (query.action) events.andWhere('event.action = :action', { action: query.action });
    if (query.targetType) events.andWhere('event.target_type = :targetType', { targetType: query.targetType });
    if (query.targetId) events.andWhere('event.target_id = :targetId', { targetId: query.targetId });
    if (query.from) events.andWhere('event.created_at >= :from', { from: query.from });
    if (query.to) events.andWhere('event.created_at < :to', { to: query.to });
    return keysetPage(events, query);
  }
}
