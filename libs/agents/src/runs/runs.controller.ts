import { Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParseUuidPipe, Produces } from '@app/core';
import { ApiKeyAuth, CurrentPrincipal, RequireScopes, type Principal } from '@app/users';
import { lastEventIdInvalid } from '../agents.errors.js';
import { AgentRunDto, toAgentRunDto } from '../dto/run.dto.js';
import { RunCancellation } from './run-cancellation.js';
import { RunEventFollower } from './run-event-follower.js';
import { RUN_EVENT_STREAM_CONTENT } from './run-event-stream.openapi.js';
import { RunsService } from './runs.service.js';
import { sendEventStream } from './sse-response.js';

@ApiTags('runs')
@ApiKeyAuth()
@Controller('runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly follower: RunEventFollower,
    private readonly cancellation: RunCancellation,
  ) {}

  @Get(':id')
  @RequireScopes('agents:read')
  @ApiOperation({ summary: 'A run with its steps and the runs it delegated to: yours, or anyone’s for admins' })
  @ApiOkResponse({ type: AgentRunDto })
  @ApiNotFoundResponse({ description: 'No such run of yours' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string): Promise<AgentRunDto> {
    const run = await this.runs.get(principal, id);
    return toAgentRunDto(run, await this.runs.childRunIds(run.id));
  }

  /** Served by any instance, whichever runs the run; a finished run whose events have expired gets its last event again. */
  @Get(':id/events')
  @RequireScopes('agents:read')
  @Produces('text/event-stream')
  @ApiOperation({ summary: 'Follow a run: its past events, then the live ones, until it ends (resume with Last-Event-ID)' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event you received: the stream resumes after it', schema: { type: 'integer', minimum: 0 } })
  @ApiOkResponse({ description: 'The run’s events as server-sent events, ending after run.completed or run.failed', content: { 'text/event-stream': RUN_EVENT_STREAM_CONTENT } })
  @ApiBadRequestResponse({ description: 'Last-Event-ID is not an event id (LAST_EVENT_ID_INVALID)' })
  @ApiNotFoundResponse({ description: 'No such run of yours' })
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUuidPipe) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after = eventIdAfter(lastEventId);
    await this.runs.get(principal, id);
    await sendEventStream(reply, (signal) => this.follower.follow(id, after, signal));
  }

  @Post(':id/cancel')
  @RequireScopes('agents:run')
  @ApiOperation({ summary: 'Cancel a queued or running run, on whichever instance runs it' })
  @ApiOkResponse({ type: AgentRunDto, description: 'Cancelled: it was queued, or it stopped within moments' })
  @ApiAcceptedResponse({ type: AgentRunDto, description: 'Cancel asked for: the instance running it stops it shortly (GET the run, or follow its events)' })
  @ApiNotFoundResponse({ description: 'No such run of yours' })
  @ApiConflictResponse({ description: 'The run has already ended (RUN_ALREADY_FINISHED)' })
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string, @Res() reply: FastifyReply): Promise<void> {
    const { run, settled } = await this.cancellation.cancel(principal, id);
    await reply.status(settled ? 200 : 202).send(toAgentRunDto(run, await this.runs.childRunIds(run.id)));
  }
}

/** The event id a Last-Event-ID header names (0 without one); anything else is a 400. */
function eventIdAfter(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return 0;
  if (!/^\d{1,15}$/.test(header.trim())) throw lastEventIdInvalid(header);
  return Number(header.trim());
}
