import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { alertingConfig, isUniqueViolation, keysetPage, type Page } from '@app/core';
import { AuditService, type Actor } from '@app/users';
import { alertChannelNameTaken, alertChannelNotFound, alertChannelTestFailed, managedByEnvironment } from './alerts.errors.js';
import { ChannelCredentials } from './channels/channel-credentials.js';
import type { AlertMessage } from './channels/alert-message.js';
import { AlertChannelDto, AlertChannelListQueryDto, ChannelTestResultDto, CreateAlertChannelDto, UpdateAlertChannelDto } from './dto/alert-channel.dto.js';
import { NotificationQueue } from './delivery/notification-queue.js';
import { AlertChannel } from './entities/alert-channel.entity.js';

/** Admins' channels: each change audited (never a credential), credentials sealed at rest and masked on the way out. */
@Injectable()
export class AlertChannelsService {
  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly credentials: ChannelCredentials,
    private readonly queue: NotificationQueue,
  ) {}

  toDto(channel: AlertChannel): AlertChannelDto {
    return {
      id: channel.id,
      name: channel.name,
      kind: channel.kind,
      config: this.credentials.mask(channel),
      enabled: channel.enabled,
      source: channel.source,
      createdAt: channel.createdAt.toISOString(),
      updatedAt: channel.updatedAt.toISOString(),
    };
  }

  async create(actor: Actor, input: CreateAlertChannelDto): Promise<AlertChannel> {
    const config = this.credentials.prepare(input.kind, input.config);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const channel = await manager.save(manager.create(AlertChannel, { name: input.name, kind: input.kind, config, enabled: input.enabled ?? true, source: 'api' }));
        await this.audit.record(manager, actor, { action: 'alert_channel.created', targetType: 'alert_channel', targetId: channel.id, details: { name: channel.name, kind: channel.kind, enabled: channel.enabled } });
        return channel;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alertChannelNameTaken(input.name);
      throw error;
    }
  }

  list(query: AlertChannelListQueryDto): Promise<Page<AlertChannel>> {
    const channels = this.dataSource.getRepository(AlertChannel).createQueryBuilder('channel');
    if (query.kind) channels.andWhere('channel.kind = :kind', { kind: query.kind });
    return keysetPage(channels, query);
  }

  async get(id: string): Promise<AlertChannel> {
    const channel = await this.dataSource.getRepository(AlertChannel).findOneBy({ id });
    if (!channel) throw alertChannelNotFound(id);
    return channel;
  }

  async update(actor: Actor, id: string, input: UpdateAlertChannelDto): Promise<AlertChannel> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const channel = await manager.getRepository(AlertChannel).createQueryBuilder('channel').setLock('pessimistic_write').where('channel.id = :id', { id }).getOne();
        if (!channel) throw alertChannelNotFound(id);
        if (channel.source === 'environment' && (input.name !== undefined || input.config !== undefined)) throw managedByEnvironment('channel', channel.name);
        const changed = [...(input.name !== undefined && input.name !== channel.name ? ['name'] : []), ...(input.config !== undefined ? ['config'] : []), ...(input.enabled !== undefined && input.enabled !== channel.enabled ? ['enabled'] : [])];
        if (input.config !== undefined) channel.config = this.credentials.prepare(channel.kind, input.config, channel);
        Object.assign(channel, { name: input.name ?? channel.name, enabled: input.enabled ?? channel.enabled });
        const saved = await manager.save(channel);
        await this.audit.record(manager, actor, { action: 'alert_channel.updated', targetType: 'alert_channel', targetId: id, details: { name: saved.name, changed } });
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alertChannelNameTaken(input.name ?? '');
      throw error;
    }
  }

  /** Deletes the channel and takes it out of the rules that name it. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const channel = await manager.getRepository(AlertChannel).findOneBy({ id });
      if (!channel) throw alertChannelNotFound(id);
      if (channel.source === 'environment') throw managedByEnvironment('channel', channel.name);
      await manager.query(`UPDATE "alert_rules" SET "channel_ids" = array_remove("channel_ids", $1::uuid), "updated_at" = now() WHERE $1::uuid = ANY("channel_ids")`, [id]);
      await manager.delete(AlertChannel, { id });
      await this.audit.record(manager, actor, { action: 'alert_channel.deleted', targetType: 'alert_channel', targetId: id, details: { name: channel.name, kind: channel.kind } });
    });
  }

  /** Sends a test notification now (one attempt, the delivery timeout), enabled or not; 502 when the channel refuses it. */
  async test(id: string): Promise<ChannelTestResultDto> {
    const channel = await this.get(id);
    const now = new Date().toISOString();
    const message: AlertMessage = {
      event: 'test',
      alertId: id,
      dedupKey: `mcpa-test-${id}-${Date.now()}`,
      ruleName: 'test',
      ruleKind: 'test',
      severity: 'info',
      subject: '',
      summary: `A test notification to the ${channel.kind} channel ${channel.name}: if you read this, alerts reach you.`,
      value: null,
      threshold: null,
      startedAt: now,
      resolvedAt: null,
      source: this.config.source,
    };
    const started = performance.now();
    const outcome = await this.queue.attempt(message, channel);
    if (!outcome.delivered) throw alertChannelTestFailed(channel.name, outcome.error ?? 'failed');
    return { delivered: true, durationMs: Math.round(performance.now() - started) };
  }
}
