import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { PageOf, PageQueryDto, Trim } from '@app/core';
import type { Conversation } from '../entities/conversation.entity.js';

export class ConversationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** The owner. */
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agentId: string | null;

  @ApiProperty({ example: 'Quarterly report' })
  title: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  /** Messages appended so far (the sequence number of the newest). */
  @ApiProperty({ type: 'integer' })
  messageCount: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastMessageAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function toConversationDto(conversation: Conversation): ConversationDto {
  return {
    id: conversation.id,
    userId: conversation.userId,
    agentId: conversation.agentId,
    title: conversation.title,
    metadata: conversation.metadata,
    messageCount: conversation.lastSequence,
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

export class CreateConversationDto {
  @Trim()
  @IsString()
  @Length(1, 200)
  title: string;

  /** The agent this conversation is with, if any. */
  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  /** Free-form JSON kept with the conversation. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class UpdateConversationDto {
  @Trim()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  /** Replaces the metadata as a whole. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ConversationListQueryDto extends PageQueryDto {
  /** Admins only: another user's conversations. */
  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  /** Case-insensitive substring of the title. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ConversationPageDto extends PageOf(ConversationDto) {}

export const EXPORT_FORMATS = ['json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportQueryDto {
  /** `json`: one document `{ conversation, messages: [...] }`; `ndjson`: the conversation, then a line per message. */
  @ApiProperty({ enum: EXPORT_FORMATS, required: false, default: 'json' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}
