import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageOf, TimeRangePageQueryDto } from '@app/core';
import { RULE_KINDS, SEVERITIES, type RuleKind, type Severity } from '../entities/alert-rule.entity.js';
import { ALERT_STATES, type AlertState, type DeliveryStatus, type NotificationEvent } from '../entities/alert.entity.js';

/** One channel's notification of one event of the alert. */
export class AlertNotificationDto {
  @ApiProperty({ format: 'uuid' })
  channelId: string;

  channelName: string;

  channelKind: string;

  @ApiProperty({ enum: ['firing', 'resolved'] })
  event: NotificationEvent;

  /** `pending` while attempts remain, then `delivered` or `failed`. */
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status: DeliveryStatus;

  attempts: number;

  /** Why the last failed attempt failed (`HTTP 500`, `timed out`…). */
  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: string | null;
}

/** One incident: when a rule fired (for a subject) and when it resolved, and how its notifications went. */
export class AlertDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** Null once the rule is deleted. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  ruleId: string | null;

  ruleName: string;

  @ApiProperty({ enum: RULE_KINDS })
  ruleKind: RuleKind;

  /** The tool (or other subject) within the rule; empty when the rule has one. */
  subject: string;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  @ApiProperty({ enum: ALERT_STATES })
  state: AlertState;

  summary: string;

  /** What was measured when it fired: a ratio, milliseconds, or failed checks in a row. */
  @ApiProperty({ type: Number, nullable: true })
  value: number | null;

  @ApiProperty({ type: Number, nullable: true })
  threshold: number | null;

  /** The key channels that de-duplicate (PagerDuty) know the incident by. */
  dedupKey: string;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ type: [AlertNotificationDto] })
  notifications: AlertNotificationDto[];
}

export class AlertListQueryDto extends TimeRangePageQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATES })
  @IsOptional()
  @IsIn(ALERT_STATES)
  state?: AlertState;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ruleId?: string;
}

export class AlertPageDto extends PageOf(AlertDto) {}
