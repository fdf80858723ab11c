import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager, In } from 'typeorm';
import { alertingConfig, isUniqueViolation, keysetPage, ValidationFailedException, type Page } from '@app/core';
import { AuditService, type Actor } from '@app/users';
import { alertRuleNameTaken, alertRuleNotFound, managedByEnvironment } from './alerts.errors.js';
import { AlertRuleDto, AlertRuleListQueryDto, CreateAlertRuleDto, UpdateAlertRuleDto } from './dto/alert-rule.dto.js';
import { AlertChannel } from './entities/alert-channel.entity.js';
import { AlertRule } from './entities/alert-rule.entity.js';
import { RuleStateStore } from './evaluation/rule-state.store.js';
import { ruleFields } from './rule-fields.js';

export function toAlertRuleDto(rule: AlertRule): AlertRuleDto {
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    enabled: rule.enabled,
    severity: rule.severity,
    target: rule.target,
    threshold: rule.threshold,
    windowSeconds: rule.windowSeconds,
    minSamples: rule.minSamples,
    consecutiveBreaches: rule.consecutiveBreaches,
    cooldownSeconds: rule.cooldownSeconds,
    channelIds: rule.channelIds,
    source: rule.source,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

const AUDITED = ['name', 'enabled', 'severity', 'target', 'threshold', 'windowSeconds', 'minSamples', 'consecutiveBreaches', 'cooldownSeconds', 'channelIds'] as const;

/** Admins' alert rules: checked against their kind, their channels checked to exist, every change audited. */
@Injectable()
export class AlertRulesService {
  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly states: RuleStateStore,
  ) {}

  async create(actor: Actor, input: CreateAlertRuleDto): Promise<AlertRule> {
    const fields = ruleFields(input.kind, input);
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.checkChannels(manager, input.channelIds);
        const rule = await manager.save(
          manager.create(AlertRule, {
            name: input.name,
            kind: input.kind,
            enabled: input.enabled ?? true,
            severity: input.severity ?? (input.kind === 'dependency_down' ? 'critical' : 'warning'),
            ...fields,
            consecutiveBreaches: input.consecutiveBreaches ?? (input.kind === 'dependency_down' ? this.config.dependencyFailures : 1),
            cooldownSeconds: input.cooldownSeconds ?? this.config.cooldownSeconds,
            channelIds: input.channelIds ?? null,
            source: 'api',
          }),
        );
        await this.audit.record(manager, actor, { action: 'alert_rule.created', targetType: 'alert_rule', targetId: rule.id, details: { ...toAlertRuleDto(rule) } });
        return rule;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alertRuleNameTaken(input.name);
      throw error;
    }
  }

  list(query: AlertRuleListQueryDto): Promise<Page<AlertRule>> {
    const rules = this.dataSource.getRepository(AlertRule).createQueryBuilder('rule');
    if (query.kind) rules.andWhere('rule.kind = :kind', { kind: query.kind });
    return keysetPage(rules, query);
  }

  async get(id: string): Promise<AlertRule> {
    const rule = await this.dataSource.getRepository(AlertRule).findOneBy({ id });
    if (!rule) throw alertRuleNotFound(id);
    return rule;
  }

  async update(actor: Actor, id: string, input: UpdateAlertRuleDto): Promise<AlertRule> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const rule = await manager.getRepository(AlertRule).createQueryBuilder('rule').setLock('pessimistic_write').where('rule.id = :id', { id }).getOne();
        if (!rule) throw alertRuleNotFound(id);
        const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as UpdateAlertRuleDto;
        if (rule.source === 'environment' && Object.keys(given).some((key) => key !== 'enabled')) throw managedByEnvironment('rule', rule.name);
        await this.checkChannels(manager, given.channelIds);
        const before = toAlertRuleDto(rule);
        const merged = { ...rule, ...given };
        Object.assign(rule, given, ruleFields(rule.kind, merged));
        const saved = await manager.save(rule);
        const after = toAlertRuleDto(saved);
        const changes = Object.fromEntries(
          AUDITED.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).map((key) => [key, { from: before[key], to: after[key] }]),
        );
        await this.audit.record(manager, actor, { action: 'alert_rule.updated', targetType: 'alert_rule', targetId: id, details: { name: saved.name, changes } });
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alertRuleNameTaken(input.name ?? '');
      throw error;
    }
  }

  /** Deletes the rule; its history stays (without the link), and an incident still open is closed without notice. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rule = await manager.getRepository(AlertRule).findOneBy({ id });
      if (!rule) throw alertRuleNotFound(id);
      if (rule.source === 'environment') throw managedByEnvironment('rule', rule.name);
      await manager.query(`UPDATE "alerts" SET "state" = 'resolved', "resolved_at" = now(), "updated_at" = now() WHERE "rule_id" = $1 AND "state" = 'firing'`, [id]);
      await manager.delete(AlertRule, { id });
      await this.audit.record(manager, actor, { action: 'alert_rule.deleted', targetType: 'alert_rule', targetId: id, details: { name: rule.name, kind: rule.kind } });
    });
    await this.states.forget(id);
  }

  private async checkChannels(manager: EntityManager, channelIds: string[] | null | undefined): Promise<void> {
    if (!channelIds || channelIds.length === 0) return;
    const found = new Set((await manager.getRepository(AlertChannel).findBy({ id: In(channelIds) })).map((channel) => channel.id));
    const errors = channelIds.flatMap((id, index) => (found.has(id.toLowerCase()) ? [] : [{ pointer: `/channelIds/${index}`, message: `no alert channel has id ${id}` }]));
    if (errors.length > 0) throw new ValidationFailedException(errors);
  }
}
