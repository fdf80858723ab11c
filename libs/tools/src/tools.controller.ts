import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { mapPage } from '@app/core';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes, Roles, type Actor, type Principal } from '@app/users';
import { InvokeToolDto, ToolCallResultDto, ToolDto, ToolListQueryDto, ToolPageDto, toToolDto, UpdateToolDto } from './dto/tool.dto.js';
import { ToolAdminService } from './tool-admin.service.js';
import { ToolExecutor } from './tool-executor.service.js';
import { ToolRegistry } from './tool-registry.service.js';

@ApiTags('tools')
@ApiKeyAuth()
@Controller('tools')
export class ToolsController {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
    private readonly admin: ToolAdminService,
  ) {}

  @Get()
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'The tools you may run, by name' })
  @ApiOkResponse({ type: ToolPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ToolListQueryDto): Promise<ToolPageDto> {
    return mapPage(await this.registry.list(principal, query), toToolDto);
  }

  @Get(':name')
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'One tool, with its schemas' })
  @ApiOkResponse({ type: ToolDto })
  @ApiNotFoundResponse({ description: 'No such tool that you may run' })
  async get(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<ToolDto> {
    return toToolDto(await this.registry.findRunnable(principal, name));
  }

  @Patch(':name')
  @Roles('admin')
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Change a tool: enable or disable it, its timeout, cache TTL, roles, title or description (admin)' })
  @ApiOkResponse({ type: ToolDto })
  @ApiNotFoundResponse({ description: 'No such tool' })
  async update(@CurrentActor() actor: Actor, @Param('name') name: string, @Body() body: UpdateToolDto): Promise<ToolDto> {
    return toToolDto(await this.admin.update(actor, name, body));
  }

  /** Aborted when the client goes away before the answer; recorded in /tool-invocations whatever the outcome. */
  @Post(':name/invoke')
  @HttpCode(200)
  @RequireScopes('tools:invoke')
  @ApiOperation({ summary: 'Run a tool' })
  @ApiOkResponse({ type: ToolCallResultDto, description: 'The tool ran; isError tells whether it failed' })
  @ApiNotFoundResponse({ description: 'No such tool that you may run' })
  @ApiConflictResponse({ description: 'The tool is disabled' })
  @ApiGatewayTimeoutResponse({ description: 'The tool did not finish within its timeout' })
  invoke(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: InvokeToolDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ToolCallResultDto> {
    // The response closing before it finished means the client went away.
    const disconnect = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) disconnect.abort(new Error('client disconnected'));
    };
    reply.raw.once('close', onClose);
    return this.executor
      .execute(principal, name, body.arguments ?? {}, { source: 'rest', conversationId: body.conversationId, signal: disconnect.signal })
      .finally(() => reply.raw.off('close', onClose));
  }
}
