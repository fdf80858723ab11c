import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const CHANNEL_KINDS = ['slack', 'pagerduty', 'webhook', 'email', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** `api` rows are the admins'; `environment` rows mirror the ALERT_* variables and change only with them. */
export const CONFIG_SOURCES = ['api', 'environment'] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

/** Names admins give; environment channels are named `env:<kind>`, which this pattern leaves free. */
export const ALERT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Where notifications go: a Slack webhook, a PagerDuty service, a webhook, email recipients or phone numbers. */
@Entity({ name: 'alert_channels' })
export class AlertChannel {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ChannelKind;

  /** The kind's settings; its credentials (URLs with tokens, keys, passwords) sealed by SecretBox. */
  @Column({ type: 'jsonb' })
  config: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 16, default: 'api' })
  source: ConfigSource;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
