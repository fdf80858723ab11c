import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentPrincipal, RequireScopes, type Principal } from '@app/users';
import { AgentRunDto, toAgentRunDto } from '../dto/run.dto.js';
import { RunsService } from './runs.service.js';

@ApiTags('runs')
@ApiKeyAuth()
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get(':id')
  @RequireScopes('agents:read')
  @ApiOperation({ summary: 'A run with its steps and the runs it delegated to: yours, or anyone’s for admins' })
  @ApiOkResponse({ type: AgentRunDto })
  @ApiNotFoundResponse({ description: 'No such run of yours' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUuidPipe) id: string): Promise<AgentRunDto> {
    const run = await this.runs.get(principal, id);
    return toAgentRunDto(run, await this.runs.childRunIds(run.id));
  }
}
