import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentActor, RequireScopes, Roles, type Actor } from '@app/users';
import { AlertRulesService, toAlertRuleDto } from './alert-rules.service.js';
import { AlertRuleDto, AlertRuleListQueryDto, AlertRulePageDto, CreateAlertRuleDto, UpdateAlertRuleDto } from './dto/alert-rule.dto.js';

/** What raises an alert: a dependency down, the HTTP 5xx rate, p95 latency, a tool's error rate (admin). */
@ApiTags('alerts')
@ApiKeyAuth()
@Roles('admin')
@Controller('alerts/rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Post()
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Add an alert rule (admin)' })
  @ApiCreatedResponse({ type: AlertRuleDto })
  @ApiConflictResponse({ description: 'The name is taken (ALERT_RULE_NAME_TAKEN)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateAlertRuleDto): Promise<AlertRuleDto> {
    return toAlertRuleDto(await this.rules.create(actor, body));
  }

  @Get()
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'List alert rules, newest first (admin)' })
  @ApiOkResponse({ type: AlertRulePageDto })
  async list(@Query() query: AlertRuleListQueryDto): Promise<AlertRulePageDto> {
    return mapPage(await this.rules.list(query), toAlertRuleDto);
  }

  @Get(':id')
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'Get an alert rule (admin)' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiNotFoundResponse({ description: 'No such rule (ALERT_RULE_NOT_FOUND)' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<AlertRuleDto> {
    return toAlertRuleDto(await this.rules.get(id));
  }

  @Patch(':id')
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Change an alert rule; disabling one that fires resolves it, with notice (admin)' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiNotFoundResponse({ description: 'No such rule (ALERT_RULE_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The name is taken, or the rule comes from the environment and only enabled may change (ALERT_MANAGED_BY_ENVIRONMENT)' })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string, @Body() body: UpdateAlertRuleDto): Promise<AlertRuleDto> {
    return toAlertRuleDto(await this.rules.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Delete an alert rule; its history stays, an open incident is closed without notice (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such rule (ALERT_RULE_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The rule comes from the environment (ALERT_MANAGED_BY_ENVIRONMENT)' })
  async remove(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.rules.remove(actor, id);
  }
}
