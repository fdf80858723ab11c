import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PageOf, TimeRangePageQueryDto } from '@app/core';
import {
  INVOCATION_SOURCES,
  INVOCATION_STATUSES,
  type InvocationSource,
  type InvocationStatus,
  type ToolInvocation,
} from '../entities/tool-invocation.entity.js';

export class ToolInvocationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ example: 'calculator' })
  toolName: string;

  @ApiProperty({ enum: INVOCATION_SOURCES })
  source: InvocationSource;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  conversationId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  runId: string | null;

  /** As called, with secret-looking values replaced by `[redacted]`. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  arguments: Record<string, unknown>;

  /** The result; past HISTORY_RESULT_MAX_BYTES, `{ truncated: true, bytes, preview }`. */
  @ApiPropertyOptional({ nullable: true })
  result: unknown;

  @ApiProperty({ enum: INVOCATION_STATUSES })
  status: InvocationStatus;

  @ApiProperty({ type: String, nullable: true })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  errorMessage: string | null;

  @ApiProperty({ type: 'integer' })
  durationMs: number;

  /** Served from the result cache. */
  cached: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toToolInvocationDto(invocation: ToolInvocation): ToolInvocationDto {
  return { ...invocation, createdAt: invocation.createdAt.toISOString() };
}

export class ToolInvocationQueryDto extends TimeRangePageQueryDto {
  /** Admins only: another user's invocations. */
  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  userId?: string;

  /** The tool's name. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9_.-]{1,64}$/, { message: 'tool must be a tool name' })
  tool?: string;

  @ApiProperty({ enum: INVOCATION_STATUSES, required: false })
  @IsOptional()
  @IsIn(INVOCATION_STATUSES)
  status?: InvocationStatus;

  @ApiProperty({ enum: INVOCATION_SOURCES, required: false })
  @IsOptional()
  @IsIn(INVOCATION_SOURCES)
  source?: InvocationSource;

  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}

export class ToolInvocationPageDto extends PageOf(ToolInvocationDto) {}
