import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentActor, RequireScopes, Roles, type Actor } from '@app/users';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertChannelDto, AlertChannelListQueryDto, AlertChannelPageDto, ChannelTestResultDto, CreateAlertChannelDto, UpdateAlertChannelDto } from './dto/alert-channel.dto.js';

/** Where alerts are sent: Slack, PagerDuty, webhooks, email and SMS (admin). */
@ApiTags('alerts')
@ApiKeyAuth()
@Roles('admin')
@Controller('alerts/channels')
export class AlertChannelsController {
  constructor(private readonly channels: AlertChannelsService) {}

  @Post()
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Add an alert channel; its credentials are stored encrypted (admin)' })
  @ApiCreatedResponse({ type: AlertChannelDto })
  @ApiConflictResponse({ description: 'The name is taken (ALERT_CHANNEL_NAME_TAKEN)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateAlertChannelDto): Promise<AlertChannelDto> {
    return this.channels.toDto(await this.channels.create(actor, body));
  }

  @Get()
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'List alert channels, newest first, credentials masked (admin)' })
  @ApiOkResponse({ type: AlertChannelPageDto })
  async list(@Query() query: AlertChannelListQueryDto): Promise<AlertChannelPageDto> {
    return mapPage(await this.channels.list(query), (channel) => this.channels.toDto(channel));
  }

  @Get(':id')
  @RequireScopes('alerts:read')
  @ApiOperation({ summary: 'Get an alert channel, credentials masked (admin)' })
  @ApiOkResponse({ type: AlertChannelDto })
  @ApiNotFoundResponse({ description: 'No such channel (ALERT_CHANNEL_NOT_FOUND)' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<AlertChannelDto> {
    return this.channels.toDto(await this.channels.get(id));
  }

  @Patch(':id')
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Change an alert channel: its name, config (replaced as a whole; masked credentials kept) or enabled (admin)' })
  @ApiOkResponse({ type: AlertChannelDto })
  @ApiNotFoundResponse({ description: 'No such channel (ALERT_CHANNEL_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The name is taken, or the channel comes from the environment (ALERT_MANAGED_BY_ENVIRONMENT)' })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string, @Body() body: UpdateAlertChannelDto): Promise<AlertChannelDto> {
    return this.channels.toDto(await this.channels.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Delete an alert channel; rules that name it stop notifying it (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such channel (ALERT_CHANNEL_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The channel comes from the environment (ALERT_MANAGED_BY_ENVIRONMENT)' })
  async remove(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.channels.remove(actor, id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequireScopes('alerts:write')
  @ApiOperation({ summary: 'Send a test notification through the channel now, one attempt (admin)' })
  @ApiOkResponse({ type: ChannelTestResultDto, description: 'The channel accepted it' })
  @ApiNotFoundResponse({ description: 'No such channel (ALERT_CHANNEL_NOT_FOUND)' })
  @ApiBadGatewayResponse({ description: 'The channel refused it or did not answer in time (ALERT_CHANNEL_TEST_FAILED)' })
  async test(@Param('id', ParseUuidPipe) id: string): Promise<ChannelTestResultDto> {
    return this.channels.test(id);
  }
}
