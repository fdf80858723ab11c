import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { alertingConfig, RedisService } from '@app/core';
import { ChannelCredentials } from './channels/channel-credentials.js';
import type { ChannelKind } from './entities/alert-channel.entity.js';
import { AlertRule } from './entities/alert-rule.entity.js';

/** The prefix of the names of environment channels and rules; admins' names can't contain a colon. */
export const ENVIRONMENT_PREFIX = 'env:';

/**
 * Mirrors the ALERT_* channels and the default rules into the tables at boot, as rows of source `environment`: they
 * show in the API and take part like any other, change only with the environment (admins may only enable or disable
 * them), and vanish when their variables are removed. A row's id survives reboots, so rules keep pointing at it.
 */
@Injectable()
export class AlertEnvironmentSync {
  private readonly logger = new Logger(AlertEnvironmentSync.name);

  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly dataSource: DataSource,
    private readonly credentials: ChannelCredentials,
    private readonly redis: RedisService,
  ) {}

  async apply(): Promise<void> {
    const channels = Object.entries(this.config.channels).flatMap(([kind, config]) => (config ? this.prepared(kind as ChannelKind, config) : []));
    const rules = this.defaultRules();
    await this.dataSource.transaction(async (manager) => {
      for (const { kind, config } of channels) {
        await manager.query(
          `INSERT INTO "alert_channels" ("name", "kind", "config", "source") VALUES ($1, $2, $3, 'environment')
           ON CONFLICT ("name") DO UPDATE SET "kind" = EXCLUDED."kind", "config" = EXCLUDED."config", "updated_at" = now()
           WHERE "alert_channels"."source" = 'environment'`,
          [`${ENVIRONMENT_PREFIX}${kind}`, kind, JSON.stringify(config)],
        );
      }
      await manager.query(`DELETE FROM "alert_channels" WHERE "source" = 'environment' AND NOT ("name" = ANY($1::varchar[]))`, [channels.map(({ kind }) => `${ENVIRONMENT_PREFIX}${kind}`)]);
      for (const rule of rules) {
        await manager.query(
          `INSERT INTO "alert_rules" ("name", "kind", "severity", "target", "consecutive_breaches", "cooldown_seconds", "source") VALUES ($1, $2, $3, $4, $5, $6, 'environment')
           ON CONFLICT ("name") DO UPDATE SET "kind" = EXCLUDED."kind", "severity" = EXCLUDED."severity", "target" = EXCLUDED."target",
             "consecutive_breaches" = EXCLUDED."consecutive_breaches", "cooldown_seconds" = EXCLUDED."cooldown_seconds", "updated_at" = now()
           WHERE "alert_rules"."source" = 'environment'`,
          [rule.name, rule.kind, rule.severity, rule.target, rule.consecutiveBreaches, rule.cooldownSeconds],
        );
      }
      await manager.query(`DELETE FROM "alert_rules" WHERE "source" = 'environment' AND NOT ("name" = ANY($1::varchar[]))`, [rules.map((rule) => rule.name)]);
    });
    this.logger.log(`alerting from the environment: channels [${channels.map(({ kind }) => kind).join(', ')}], default rules [${rules.map((rule) => rule.name).join(', ')}]`);
  }

  /** The channel's config as stored (validated like an admin's, credentials sealed), or none when the variables don't pass. */
  private prepared(kind: ChannelKind, config: object): { kind: ChannelKind; config: Record<string, unknown> }[] {
    try {
      return [{ kind, config: this.credentials.prepare(kind, config) }];
    } catch (error) {
      const errors = (error as { errors?: { pointer: string; message: string }[] }).errors ?? [];
      this.logger.error(`the ${kind} alert channel from the environment is left out: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ') || (error as Error).message}`);
      return [];
    }
  }

  /** Dependency rules for the database and, when configured, Redis. */
  private defaultRules(): Pick<AlertRule, 'name' | 'kind' | 'severity' | 'target' | 'consecutiveBreaches' | 'cooldownSeconds'>[] {
    if (!this.config.defaultRules) return [];
    const targets = this.redis.configured ? ['database', 'redis'] : ['database'];
    return targets.map((target) => ({
      name: `${ENVIRONMENT_PREFIX}${target}-down`,
      kind: 'dependency_down',
      severity: 'critical',
      target,
      consecutiveBreaches: this.config.dependencyFailures,
      cooldownSeconds: this.config.cooldownSeconds,
    }));
  }
}
