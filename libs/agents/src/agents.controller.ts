import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes, Roles, type Actor, type Principal } from '@app/users';
import { AgentAdminService } from './agent-admin.service.js';
import { AgentsService } from './agents.service.js';
import { AgentDto, AgentListQueryDto, AgentPageDto, CreateAgentDto, toAgentDto, UpdateAgentDto } from './dto/agent.dto.js';
import { AgentRunDto, CreateRunDto, toAgentRunDto } from './dto/run.dto.js';
import { RunsService } from './runs/runs.service.js';

@ApiTags('agents')
@ApiKeyAuth()
@Controller('agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly admin: AgentAdminService,
    private readonly runs: RunsService,
  ) {}

  @Get()
  @RequireScopes('agents:read')
  @ApiOperation({ summary: 'List agents, newest first' })
  @ApiOkResponse({ type: AgentPageDto })
  async list(@Query() query: AgentListQueryDto): Promise<AgentPageDto> {
    return mapPage(await this.agents.list(query), toAgentDto);
  }

  @Post()
  @Roles('admin')
  @RequireScopes('agents:write')
  @ApiOperation({ summary: 'Create an agent (admin)' })
  @ApiCreatedResponse({ type: AgentDto })
  @ApiBadRequestResponse({ description: 'A field is invalid (an unknown provider in model, a member that does not exist…); see errors' })
  @ApiConflictResponse({ description: 'An agent with that name exists (AGENT_EXISTS)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateAgentDto): Promise<AgentDto> {
    return toAgentDto(await this.admin.create(actor, body));
  }

  @Get(':id')
  @RequireScopes('agents:read')
  @ApiOperation({ summary: 'One agent' })
  @ApiOkResponse({ type: AgentDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<AgentDto> {
    return toAgentDto(await this.agents.get(id));
  }

  @Patch(':id')
  @Roles('admin')
  @RequireScopes('agents:write')
  @ApiOperation({ summary: 'Change an agent; its version goes up (admin)' })
  @ApiOkResponse({ type: AgentDto })
  @ApiBadRequestResponse({ description: 'A field is invalid; see errors' })
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'The name is taken (AGENT_EXISTS), or the members would lead back to the agent (AGENT_CYCLE)' })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string, @Body() body: UpdateAgentDto): Promise<AgentDto> {
    return toAgentDto(await this.admin.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @RequireScopes('agents:write')
  @ApiOperation({ summary: 'Delete an agent; its runs stay (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'A coordinator has it as a member (AGENT_IN_USE)' })
  async remove(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.admin.remove(actor, id);
  }

  /**
   * A run that failed, timed out, hit maxSteps or its tree's budget is still a 200: its status and errorCode say how it
   * ended. A coordinator's members run as child runs (childRunIds).
   */
  @Post(':id/runs')
  @HttpCode(200)
  @RequireScopes('agents:run')
  @ApiOperation({ summary: 'Run an agent or a coordinator on your input and answer the finished run (mode wait)' })
  @ApiOkResponse({ type: AgentRunDto, description: 'The run as it finished: succeeded, failed or timed_out' })
  @ApiNotFoundResponse({ description: 'No such agent, or no such conversation of yours' })
  @ApiServiceUnavailableResponse({ description: "The agent's LLM provider is not configured on this server (LLM_PROVIDER_NOT_CONFIGURED)" })
  async createRun(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string, @Body() body: CreateRunDto): Promise<AgentRunDto> {
    const run = await this.runs.run(principal, id, body);
    return toAgentRunDto(run, await this.runs.childRunIds(run.id));
  }
}
