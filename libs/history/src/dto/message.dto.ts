import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQueryDto } from '@app/core';
import { MESSAGE_ROLES, type Message, type MessageRole } from '../entities/message.entity.js';

export class ToolCallDto {
  @IsString()
  @Length(1, 128)
  id: string;

  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  args: Record<string, unknown>;
}

export class TokenUsageDto {
  @ApiProperty({ type: 'integer', required: false })
  @IsOptional()
  @IsInt()
  @Min(0)
  inputTokens?: number;

  @ApiProperty({ type: 'integer', required: false })
  @IsOptional()
  @IsInt()
  @Min(0)
  outputTokens?: number;

  @ApiProperty({ type: 'integer', required: false })
  @IsOptional()
  @IsInt()
  @Min(0)
  totalTokens?: number;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  conversationId: string;

  /** 1, 2, 3… in the order messages were appended. */
  @ApiProperty({ type: 'integer' })
  sequence: number;

  @ApiProperty({ enum: MESSAGE_ROLES })
  role: MessageRole;

  content: string;

  @ApiProperty({ type: [ToolCallDto], nullable: true })
  toolCalls: ToolCallDto[] | null;

  @ApiProperty({ type: String, nullable: true })
  toolCallId: string | null;

  @ApiProperty({ type: TokenUsageDto, nullable: true })
  tokenUsage: TokenUsageDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toMessageDto(message: Message): MessageDto {
  return {
    id: message.id,
    conversationId: message.conversationId,
    sequence: message.sequence,
    role: message.role,
    content: message.content,
    toolCalls: message.toolCalls,
    toolCallId: message.toolCallId,
    tokenUsage: message.tokenUsage,
    createdAt: message.createdAt.toISOString(),
  };
}

export class AppendMessageDto {
  @ApiProperty({ enum: MESSAGE_ROLES })
  @IsIn(MESSAGE_ROLES)
  role: MessageRole;

  @IsString()
  @MaxLength(1_000_000)
  content: string;

  /** On an assistant message: the tool calls it asks for. */
  @ApiProperty({ type: [ToolCallDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  toolCalls?: ToolCallDto[];

  /** On a tool message: the id of the call it answers. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  toolCallId?: string;

  @ApiProperty({ type: TokenUsageDto, required: false })
  @IsOptional()
  @ValidateNested()
  @Type(() => TokenUsageDto)
  tokenUsage?: TokenUsageDto;
}

/** Oldest first: `nextCursor` continues after the last message returned. */
export class MessageListQueryDto extends PageQueryDto {}

export class MessagePageDto extends PageOf(MessageDto) {}
