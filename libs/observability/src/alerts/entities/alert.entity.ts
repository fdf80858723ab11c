import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RuleKind, Severity } from './alert-rule.entity.js';

export const ALERT_STATES = ['firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export type NotificationEvent = 'firing' | 'resolved';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One notification of an alert to one channel, as the delivery queue left it. */
export interface NotificationRecord {
  channelId: string;
  channelName: string;
  channelKind: string;
  event: NotificationEvent;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** ISO time of the successful attempt. */
  deliveredAt: string | null;
}

/**
 * One incident of a rule (for one subject: a tool, say): opened when it fires, closed when it resolves. The id is made
 * by the evaluator, so notifications can carry it before the row is written (the database may be what is down).
 */
@Entity({ name: 'alerts' })
export class Alert {
  @PrimaryColumn('uuid')
  id: string;

  /** Null once the rule is deleted; its name and kind stay. */
  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId: string | null;

  @Column({ name: 'rule_name', type: 'varchar', length: 64 })
  ruleName: string;

  @Column({ name: 'rule_kind', type: 'varchar', length: 32 })
  ruleKind: RuleKind;

  /** What the incident is about within its rule: a tool's name, a dependency's; empty when the rule has one subject. */
  @Column({ type: 'varchar', length: 200, default: '' })
  subject: string;

  @Column({ type: 'varchar', length: 16 })
  severity: Severity;

  @Column({ type: 'varchar', length: 16 })
  state: AlertState;

  @Column({ type: 'text' })
  summary: string;

  /** The measured value when it fired (ratio, milliseconds, or failures in a row). */
  @Column({ type: 'double precision', nullable: true })
  value: number | null;

  @Column({ type: 'double precision', nullable: true })
  threshold: number | null;

  /** Names the incident to channels that de-duplicate (PagerDuty): trigger and resolve share it. */
  @Column({ name: 'dedup_key', type: 'varchar', length: 200 })
  dedupKey: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  notifications: NotificationRecord[];

  /** The same as startedAt; lists page on it. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
