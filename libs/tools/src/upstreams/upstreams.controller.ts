import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentActor, RequireScopes, Roles, type Actor } from '@app/users';
import { CreateUpstreamDto, toUpstreamDto, UpdateUpstreamDto, UpstreamDto, UpstreamListQueryDto, UpstreamPageDto, UpstreamSyncResultDto } from './upstream.dto.js';
import { UpstreamSync } from './upstream-sync.service.js';
import { UpstreamsService } from './upstreams.service.js';

/** Remote MCP servers whose tools join the registry as `<upstream>.<tool>` (admin). */
@ApiTags('upstreams')
@ApiKeyAuth()
@Roles('admin')
@Controller('upstreams')
export class UpstreamsController {
  constructor(
    private readonly upstreams: UpstreamsService,
    private readonly sync: UpstreamSync,
  ) {}

  @Post()
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Register an upstream MCP server and import its tools (admin)' })
  @ApiCreatedResponse({ type: UpstreamDto, description: 'Registered; status tells whether its tools could be read' })
  @ApiConflictResponse({ description: 'The name is taken (UPSTREAM_NAME_TAKEN)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUpstreamDto): Promise<UpstreamDto> {
    return toUpstreamDto(await this.upstreams.create(actor, body));
  }

  @Get()
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'List upstream MCP servers, newest first (admin)' })
  @ApiOkResponse({ type: UpstreamPageDto })
  async list(@Query() query: UpstreamListQueryDto): Promise<UpstreamPageDto> {
    return mapPage(await this.upstreams.list(query), toUpstreamDto);
  }

  @Get(':id')
  @RequireScopes('tools:read')
  @ApiOperation({ summary: 'Get an upstream MCP server (admin)' })
  @ApiOkResponse({ type: UpstreamDto })
  @ApiNotFoundResponse({ description: 'No such upstream' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<UpstreamDto> {
    return toUpstreamDto(await this.upstreams.get(id));
  }

  @Patch(':id')
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Change an upstream: its URL, headers (replaced as a whole) or enabled (admin)' })
  @ApiOkResponse({ type: UpstreamDto })
  @ApiNotFoundResponse({ description: 'No such upstream' })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string, @Body() body: UpdateUpstreamDto): Promise<UpstreamDto> {
    return toUpstreamDto(await this.upstreams.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('tools:write')
  @ApiOperation({ summary: 'Delete an upstream MCP server and its tools (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such upstream' })
  async remove(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.upstreams.remove(actor, id);
  }

  @Post(':id/sync')
  @HttpCode(200)
  @RequireScopes('tools:write')
  @ApiOperation({ summary: "Re-read an upstream's tools now: new ones imported, changed ones updated, vanished ones disabled (admin)" })
  @ApiOkResponse({ type: UpstreamSyncResultDto })
  @ApiNotFoundResponse({ description: 'No such upstream' })
  @ApiConflictResponse({ description: 'The upstream is disabled (UPSTREAM_DISABLED)' })
  @ApiBadGatewayResponse({ description: 'The upstream could not be reached (UPSTREAM_UNAVAILABLE); recorded in its status' })
  async syncNow(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<UpstreamSyncResultDto> {
    const report = await this.sync.sync(actor, id);
    return { ...report, upstream: toUpstreamDto(report.upstream) };
  }
}
