import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keysetPage, type Page } from '@app/core';
import { alertNotFound } from './alerts.errors.js';
import { AlertDto, AlertListQueryDto } from './dto/alert.dto.js';
import { Alert } from './entities/alert.entity.js';

export function toAlertDto(alert: Alert): AlertDto {
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    ruleName: alert.ruleName,
    ruleKind: alert.ruleKind,
    subject: alert.subject,
    severity: alert.severity,
    state: alert.state,
    summary: alert.summary,
    value: alert.value,
    threshold: alert.threshold,
    dedupKey: alert.dedupKey,
    startedAt: alert.startedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    notifications: alert.notifications,
  };
}

/** The alert history as admins read it: newest first, by state, rule and time. */
@Injectable()
export class AlertHistoryService {
  constructor(private readonly dataSource: DataSource) {}

  list(query: AlertListQueryDto): Promise<Page<Alert>> {
    const alerts = this.dataSource.getRepository(Alert).createQueryBuilder('alert');
    if (query.state) alerts.andWhere('alert.state = :state', { state: query.state });
    if (query.ruleId) alerts.andWhere('alert.rule_id = :ruleId', { ruleId: query.ruleId });
    if (query.from) alerts.andWhere('alert.created_at >= :from', { from: query.from });
    if (query.to) alerts.andWhere('alert.created_at < :to', { to: query.to });
    return keysetPage(alerts, query);
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.dataSource.getRepository(Alert).findOneBy({ id });
    if (!alert) throw alertNotFound(id);
    return alert;
  }
}
