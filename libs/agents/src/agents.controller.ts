import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { mapPage, ParseUuidPipe, Produces } from '@app/core';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes, Roles, type Actor, type Principal } from '@app/users';
import { AgentAdminService } from './agent-admin.service.js';
import { AgentsService } from './agents.service.js';
import { AgentDto, AgentListQueryDto, AgentPageDto, CreateAgentDto, toAgentDto, UpdateAgentDto } from './dto/agent.dto.js';
import { AgentRunDto, CreateRunDto, toAgentRunDto } from './dto/run.dto.js';
import { RunEventFollower } from './runs/run-event-follower.js';
import { RUN_EVENT_STREAM_CONTENT } from './runs/run-event-stream.openapi.js';
import { RUN_STREAM_EVENT_TYPES } from './runs/run-stream-events.js';
import { RunsService } from './runs/runs.service.js';
import { sendEventStream } from './runs/sse-response.js';

@ApiTags('agents')
@ApiKeyAuth()
@Controller('agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly admin: AgentAdminService,
    private readonly runs: RunsService,
    private readonly follower: RunEventFollower,
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
   * A run that failed, timed out, hit maxSteps or its tree's budget is still a 200 in mode wait: its status and
   * errorCode say how it ended. A coordinator's members run as child runs (childRunIds). Mode stream answers its
   * events as they happen; mode background answers 202 at once.
   */
  @Post(':id/runs')
  @RequireScopes('agents:run')
  @Produces('application/json', 'application/xml', 'text/event-stream')
  @ApiOperation({ summary: 'Run an agent on your input: wait for the finished run, stream its events, or start it in the background' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description:
      'mode wait: the run as it finished (succeeded, failed, timed_out, cancelled). mode stream: its events as `text/event-stream`, ' +
      `each with an \`id:\` (1, 2, 3…) and an \`event:\` of ${RUN_STREAM_EVENT_TYPES.join(', ')}; the stream ends after run.completed or run.failed. ` +
      'A client that disconnects does not stop the run: GET the Location (/runs/{id}/events) with Last-Event-ID to resume.',
    headers: { Location: { description: 'mode stream: the run, /runs/{id}', schema: { type: 'string' } } },
    content: { 'application/json': { schema: { $ref: getSchemaPath(AgentRunDto) } }, 'text/event-stream': RUN_EVENT_STREAM_CONTENT },
  })
  @ApiAcceptedResponse({
    content: { 'application/json': { schema: { $ref: getSchemaPath(AgentRunDto) } } },
    description: 'mode background: the run as admitted, running or queued (multitask enqueue)',
    headers: { Location: { description: 'The run, /runs/{id}', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such agent (AGENT_NOT_FOUND), or no such conversation of yours' })
  @ApiConflictResponse({ description: 'The conversation has a run queued or running and multitask is not enqueue (CONVERSATION_BUSY)' })
  @ApiServiceUnavailableResponse({ description: "The agent's LLM provider is not configured on this server (LLM_PROVIDER_NOT_CONFIGURED), or this instance is shutting down (SERVER_STOPPING)" })
  async createRun(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string, @Body() body: CreateRunDto, @Res() reply: FastifyReply): Promise<void> {
    const started = await this.runs.start(principal, id, body);
    const location = `/runs/${started.run.id}`;
    switch (body.mode ?? 'wait') {
      case 'stream':
        return sendEventStream(reply, (signal) => this.follower.follow(started.run.id, 0, signal), { location });
      case 'background':
        return void reply.status(202).header('location', location).send(toAgentRunDto(started.run, []));
      case 'wait': {
        await this.runs.ended(started);
        const [run, childRunIds] = await Promise.all([this.runs.get(principal, started.run.id), this.runs.childRunIds(started.run.id)]);
        return void reply.status(200).send(toAgentRunDto(run, childRunIds));
      }
    }
  }
}
