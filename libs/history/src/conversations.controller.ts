import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { mapPage, ParseUuidPipe, Produces } from '@app/core';
import { ApiKeyAuth, CurrentPrincipal, RequireScopes, type Principal } from '@app/users';
import { ConversationExportService, EXPORT_CONTENT_TYPES } from './conversation-export.service.js';
import { ConversationsService } from './conversations.service.js';
import {
  ConversationDto,
  ConversationListQueryDto,
  ConversationPageDto,
  CreateConversationDto,
  ExportQueryDto,
  toConversationDto,
  UpdateConversationDto,
} from './dto/conversation.dto.js';
import { AppendMessageDto, MessageDto, MessageListQueryDto, MessagePageDto, toMessageDto } from './dto/message.dto.js';

@ApiTags('history')
@ApiKeyAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly exports: ConversationExportService,
  ) {}

  @Post()
  @RequireScopes('history:write')
  @ApiOperation({ summary: 'Start a conversation' })
  @ApiCreatedResponse({ type: ConversationDto })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateConversationDto): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.create(principal, body));
  }

  @Get()
  @RequireScopes('history:read')
  @ApiOperation({ summary: 'List conversations, newest first (your own; admins may filter by userId)' })
  @ApiOkResponse({ type: ConversationPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ConversationListQueryDto): Promise<ConversationPageDto> {
    return mapPage(await this.conversations.list(principal, query), toConversationDto);
  }

  @Get(':id')
  @RequireScopes('history:read')
  @ApiOperation({ summary: 'Get a conversation' })
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.get(principal, id));
  }

  @Patch(':id')
  @RequireScopes('history:write')
  @ApiOperation({ summary: "Change a conversation's title or metadata" })
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUuidPipe) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.conversations.update(principal, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('history:write')
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.conversations.remove(principal, id);
  }

  @Get(':id/messages')
  @RequireScopes('history:read')
  @ApiOperation({ summary: "A conversation's messages, oldest first" })
  @ApiOkResponse({ type: MessagePageDto })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async messages(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: MessageListQueryDto,
  ): Promise<MessagePageDto> {
    return mapPage(await this.conversations.messages(principal, id, query), toMessageDto);
  }

  @Post(':id/messages')
  @RequireScopes('history:write')
  @ApiOperation({ summary: 'Append a message; it gets the next sequence number' })
  @ApiCreatedResponse({ type: MessageDto })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async append(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUuidPipe) id: string,
    @Body() body: AppendMessageDto,
  ): Promise<MessageDto> {
    return toMessageDto(await this.conversations.append(principal, id, body));
  }

  /** Streamed as it is read from the database, so conversations of any length export in constant memory. */
  @Get(':id/export')
  @RequireScopes('history:read')
  @Produces('application/json', 'application/x-ndjson')
  @ApiOperation({ summary: 'Export a conversation with all its messages, as JSON or NDJSON' })
  @ApiProduces('application/json', 'application/x-ndjson')
  @ApiOkResponse({ description: '`{ conversation, messages }` (json) or one `{ type, … }` object per line (ndjson)' })
  @ApiNotFoundResponse({ description: 'No such conversation of yours' })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: ExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = query.format ?? 'json';
    const stream = await this.exports.export(principal, id, format);
    await reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="conversation-${id}.${format}"`)
      .send(stream);
  }
}
