import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ConfigSource } from './alert-channel.entity.js';

export const RULE_KINDS = ['dependency_down', 'http_error_rate', 'http_latency_p95', 'tool_error_rate'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** PagerDuty's vocabulary, which the other channels show as is. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A condition evaluated on a schedule; it fires after `consecutiveBreaches` breaching evaluations and resolves on the first clear one. */
@Entity({ name: 'alert_rules' })
export class AlertRule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  kind: RuleKind;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 16 })
  severity: Severity;

  /** dependency_down: the readiness check's name (`database`, `redis`…); tool_error_rate: one tool, or null for each tool. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  target: string | null;

  /** Error ratio (0–1) for the rate kinds, milliseconds for http_latency_p95; null for dependency_down. */
  @Column({ type: 'double precision', nullable: true })
  threshold: number | null;

  /** The traffic window the rate and latency kinds look at. */
  @Column({ name: 'window_seconds', type: 'integer', nullable: true })
  windowSeconds: number | null;

  /** Fewer requests or calls than this in the window and the rule has no opinion (it neither fires nor stays firing). */
  @Column({ name: 'min_samples', type: 'integer', nullable: true })
  minSamples: number | null;

  @Column({ name: 'consecutive_breaches', type: 'integer', default: 1 })
  consecutiveBreaches: number;

  /** After resolving, the rule does not fire again for this long. */
  @Column({ name: 'cooldown_seconds', type: 'integer' })
  cooldownSeconds: number;

  /** The channels it notifies; null for every enabled channel. */
  @Column({ name: 'channel_ids', type: 'uuid', array: true, nullable: true })
  channelIds: string[] | null;

  @Column({ type: 'varchar', length: 16, default: 'api' })
  source: ConfigSource;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
