import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { mapPage, preSerialize, WeakMemo, type Page } from '@app/core';
import { ToolInvocationPageDto, ToolInvocationsService, toToolInvocationDto } from '@app/history';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes, Roles, type Actor, type Principal } from '@app/users';
import {
  CreateToolDto,
  InvokeToolDto,
  ToolCallResultDto,
  ToolDto,
  ToolInvocationsOfToolQueryDto,
  ToolListQueryDto,
  ToolPageDto,
  toToolDto,
  UpdateToolDto,
} from './dto/tool.dto.js';
import type { Tool } from './entities/tool.entity.js';
import { ToolAdminService } from './tool-admin.service.js';
import { ToolExecutor } from './tool-executor.service.js';
import { ToolHandlers } from './tool-handler.js';
import { ToolRegistry } from './tool-registry.service.js';

@ApiTags('tools')
@ApiKeyAuth()
@Controller('tools')
export class ToolsController {
  private readonly renderedPages = new WeakMemo<Page<Tool>, ToolPageDto>();

  constructor(
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
    private readonly admin: ToolAdminService,
    private readonly handlers: ToolHandlers,
    private readonly invocations: ToolInvocationsService,
  ) {}

  @Get()
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'The tools you may run, by name' })
  @ApiOkResponse({ type: ToolPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ToolListQueryDto): Promise<ToolPageDto> {
    // The registry hands out the same page until it changes: render and serialize it once (it is read far more than written).
    const page = await this.registry.list(principal, query);
    return this.renderedPages.get(page, () => preSerialize(mapPage(page, (tool) => this.view(principal, tool))));
  }

  @Post()
  @Roles('admin')
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Register an HTTP tool (admin)' })
  @ApiCreatedResponse({ type: ToolDto })
  @ApiBadRequestResponse({ description: 'A field, a schema or the config is invalid; see errors' })
  @ApiConflictResponse({ description: 'A tool with that name exists' })
  async create(@CurrentPrincipal() principal: Principal, @CurrentActor() actor: Actor, @Body() body: CreateToolDto): Promise<ToolDto> {
    return this.view(principal, await this.admin.create(actor, body));
  }

  @Get(':name')
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'One tool, with its schemas' })
  @ApiOkResponse({ type: ToolDto })
  @ApiNotFoundResponse({ description: 'No such tool that you may run' })
  async get(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<ToolDto> {
    return this.view(principal, await this.registry.findRunnable(principal, name));
  }

  @Patch(':name')
  @Roles('admin')
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Change a tool: enable or disable it, its timeout, cache TTL, roles, texts; an HTTP tool also its schemas and config (admin)' })
  @ApiOkResponse({ type: ToolDto })
  @ApiNotFoundResponse({ description: 'No such tool' })
  async update(@CurrentPrincipal() principal: Principal, @CurrentActor() actor: Actor, @Param('name') name: string, @Body() body: UpdateToolDto): Promise<ToolDto> {
    return this.view(principal, await this.admin.update(actor, name, body));
  }

  @Delete(':name')
  @HttpCode(204)
  @Roles('admin')
  @RequireScopes('tools:write')
  @ApiOperation({ summary: "Delete a tool; built-in, upstream and agents' tools can only be disabled (admin)" })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such tool' })
  @ApiConflictResponse({ description: "A built-in, upstream or agent's tool (TOOL_NOT_DELETABLE)" })
  async remove(@CurrentActor() actor: Actor, @Param('name') name: string): Promise<void> {
    await this.admin.remove(actor, name);
  }

  /** Aborted when the client goes away before the answer; recorded in /tool-invocations whatever the outcome. */
  @Post(':name/invoke')
  @HttpCode(200)
  @RequireScopes('tools:invoke')
  @ApiOperation({ summary: 'Run a tool' })
  @ApiOkResponse({ type: ToolCallResultDto, description: 'The tool ran (or was answered from the cache); isError tells whether it failed' })
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
      .execute(principal, name, body.arguments ?? {}, { source: 'rest', conversationId: body.conversationId, cancellation: disconnect })
      .then(({ tool: _tool, ...result }) => result)
      .finally(() => reply.raw.off('close', onClose));
  }

  @Get(':name/invocations')
  @RequireScopes('tools:read', 'history:read')
  @ApiOperation({ summary: "A tool's invocations, newest first: yours, or everyone's for admins" })
  @ApiOkResponse({ type: ToolInvocationPageDto })
  @ApiNotFoundResponse({ description: 'No such tool that you may run' })
  async invocationsOf(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: ToolInvocationsOfToolQueryDto,
  ): Promise<ToolInvocationPageDto> {
    await this.registry.findRunnable(principal, name);
    return mapPage(await this.invocations.list(principal, { ...query, tool: name }), toToolInvocationDto);
  }

  private view(principal: Principal, tool: Tool): ToolDto {
    return toToolDto(tool, principal.role === 'admin' ? this.handlers.redactedConfig(tool) : undefined);
  }
}
