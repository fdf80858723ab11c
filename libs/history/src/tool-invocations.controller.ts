import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage } from '@app/core';
import { ApiKeyAuth, CurrentPrincipal, RequireScopes, type Principal } from '@app/users';
import { ToolInvocationPageDto, ToolInvocationQueryDto, toToolInvocationDto } from './dto/tool-invocation.dto.js';
import { ToolInvocationsService } from './tool-invocations.service.js';

@ApiTags('history')
@ApiKeyAuth()
@Controller('tool-invocations')
export class ToolInvocationsController {
  constructor(private readonly invocations: ToolInvocationsService) {}

  @Get()
  @RequireScopes('history:read')
  @ApiOperation({ summary: 'Tool invocations, newest first, by tool, status, source, conversation and time' })
  @ApiOkResponse({ type: ToolInvocationPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ToolInvocationQueryDto): Promise<ToolInvocationPageDto> {
    return mapPage(await this.invocations.list(principal, query), toToolInvocationDto);
  }
}
