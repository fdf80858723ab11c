import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageOf, TimeRangePageQueryDto } from '@app/core';
import type { AuditEvent } from '../entities/audit-event.entity.js';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** The user who acted; kept as written even after that user is deleted. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key used; null for the built-in admin' })
  actorKeyId: string | null;

  @ApiProperty({ example: 'user.role_changed' })
  action: string;

  @ApiProperty({ type: String, nullable: true, example: 'user' })
  targetType: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    actorId: event.actorId,
    actorKeyId: event.actorKeyId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    requestId: event.requestId,
    ip: event.ip,
    details: event.details,
    createdAt: event.createdAt.toISOString(),
  };
}

export class AuditQueryDto extends TimeRangePageQueryDto {
  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** An exact action (`user.created`) or every action under a prefix (`user.*`). */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, { message: 'action must look like user.created or user.*' })
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  targetType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  targetId?: string;
}

export class AuditEventPageDto extends PageOf(AuditEventDto) {}
