import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsAlertName, Omittable } from './alert-dto.decorators.js';
import { PageOf, PageQueryDto } from '@app/core';
import { ALERT_NAME_PATTERN, CONFIG_SOURCES, type ConfigSource } from '../entities/alert-channel.entity.js';
import { RULE_KINDS, SEVERITIES, type RuleKind, type Severity } from '../entities/alert-rule.entity.js';
import { MAX_WINDOW_SECONDS } from '../evaluation/traffic-window.js';

export class AlertRuleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'api-5xx' })
  name: string;

  @ApiProperty({ enum: RULE_KINDS })
  kind: RuleKind;

  enabled: boolean;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  /** dependency_down: the readiness check (`database`, `redis`, `disk`…); tool_error_rate: one tool, or null for each tool. */
  @ApiProperty({ type: String, nullable: true, example: 'database' })
  target: string | null;

  /** Error ratio (0–1) for http_error_rate and tool_error_rate; milliseconds for http_latency_p95; null for dependency_down. */
  @ApiProperty({ type: Number, nullable: true, example: 0.05 })
  threshold: number | null;

  /** The traffic window of the rate and latency kinds. */
  @ApiProperty({ type: Number, nullable: true, example: 300 })
  windowSeconds: number | null;

  /** Fewer requests or calls in the window and the rule neither fires nor stays firing. */
  @ApiProperty({ type: Number, nullable: true, example: 20 })
  minSamples: number | null;

  /** Breaching evaluations in a row before it fires. */
  consecutiveBreaches: number;

  /** After resolving it does not fire again for this long. */
  cooldownSeconds: number;

  /** The channels it notifies; null for every enabled channel. */
  @ApiProperty({ type: [String], nullable: true, format: 'uuid' })
  channelIds: string[] | null;

  @ApiProperty({ enum: CONFIG_SOURCES })
  source: ConfigSource;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class CreateAlertRuleDto {
  @ApiProperty({ pattern: ALERT_NAME_PATTERN.source, example: 'api-5xx' })
  @IsAlertName()
  name: string;

  @ApiProperty({ enum: RULE_KINDS })
  @IsIn(RULE_KINDS)
  kind: RuleKind;

  /** Default: critical for dependency_down, warning otherwise. */
  @ApiPropertyOptional({ enum: SEVERITIES })
  @Omittable()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  /** Required for dependency_down (a readiness check's name); optional for tool_error_rate (a tool's name); not for the HTTP kinds. */
  @ApiPropertyOptional({ type: String, nullable: true, example: 'database', pattern: '^[A-Za-z0-9_.:-]{1,200}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,200}$/, { message: 'target must be a readiness check or tool name' })
  target?: string | null;

  /** Required for the rate kinds (a ratio above 0, at most 1) and http_latency_p95 (milliseconds); not for dependency_down. */
  @ApiPropertyOptional({ type: Number, nullable: true, example: 0.05 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  threshold?: number | null;

  /** The rate and latency kinds only; default 300. */
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_WINDOW_SECONDS, example: 300 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  windowSeconds?: number | null;

  /** The rate and latency kinds only; default 10. */
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, example: 20 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  minSamples?: number | null;

  /** Default: ALERT_DEPENDENCY_FAILURES for dependency_down, 1 otherwise. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(100)
  consecutiveBreaches?: number;

  /** Default: ALERT_COOLDOWN_SECONDS. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 86_400 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(86_400)
  cooldownSeconds?: number;

  /** Channels to notify; omitted or null for every enabled channel, `[]` for none (the history still records). */
  @ApiPropertyOptional({ type: [String], nullable: true, format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  channelIds?: string[] | null;
}

/** Every field but the kind may change; a null clears target, threshold, windowSeconds, minSamples or channelIds. */
export class UpdateAlertRuleDto extends PartialType(OmitType(CreateAlertRuleDto, ['kind'] as const)) {}

export class AlertRuleListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RULE_KINDS })
  @Omittable()
  @IsIn(RULE_KINDS)
  kind?: RuleKind;
}

export class AlertRulePageDto extends PageOf(AlertRuleDto) {}
