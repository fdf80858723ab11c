import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, RequireScopes, Roles } from '@app/users';
import { AlertHistoryService, toAlertDto } from './alert-history.service.js';
import { AlertDto, AlertListQueryDto, AlertPageDto } from './dto/alert.dto.js';

/** The alert history: every incident, firing or resolved, with how its notifications went (admin). */
@ApiTags('alerts')
@ApiKeyAuth()
@Roles('admin')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly history: AlertHistoryService) {}

  @Get()
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'List alerts, newest first (admin)' })
  @ApiOkResponse({ type: AlertPageDto })
  async list(@Query() query: AlertListQueryDto): Promise<AlertPageDto> {
    return mapPage(await this.history.list(query), toAlertDto);
  }

  @Get(':id')
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'Get an alert and its notifications (admin)' })
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'No such alert (ALERT_NOT_FOUND)' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<AlertDto> {
    return toAlertDto(await this.history.get(id));
  }
}
