import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject } from 'class-validator';
import { IsAlertName, Omittable } from './alert-dto.decorators.js';
import { PageOf, PageQueryDto } from '@app/core';
import { ALERT_NAME_PATTERN, CHANNEL_KINDS, CONFIG_SOURCES, type ChannelKind, type ConfigSource } from '../entities/alert-channel.entity.js';
import { EmailChannelConfigDto, PagerDutyChannelConfigDto, SlackChannelConfigDto, SmsChannelConfigDto, WebhookChannelConfigDto } from './channel-configs.dto.js';

const CONFIG_SCHEMA = {
  description:
    "The kind's settings: slack `{webhookUrl}`, pagerduty `{routingKey, url?}`, webhook `{url, secret?}`, email `{host, port?, secure?, username?, password?, from, to[]}`, " +
    'sms `{accountSid, authToken, from, to[], baseUrl?}`. Credentials are stored encrypted and read back as `********`; sending `********` back keeps the stored value.',
  oneOf: [SlackChannelConfigDto, PagerDutyChannelConfigDto, WebhookChannelConfigDto, EmailChannelConfigDto, SmsChannelConfigDto].map((model) => ({ $ref: getSchemaPath(model) })),
};

/** A channel as admins see it: every credential in its config masked. */
@ApiExtraModels(SlackChannelConfigDto, PagerDutyChannelConfigDto, WebhookChannelConfigDto, EmailChannelConfigDto, SmsChannelConfigDto)
export class AlertChannelDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'oncall-slack' })
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  kind: ChannelKind;

  @ApiProperty(CONFIG_SCHEMA)
  config: Record<string, unknown>;

  /** A disabled channel is notified of nothing. */
  enabled: boolean;

  /** `environment` channels come from ALERT_* variables; only `enabled` can change through the API. */
  @ApiProperty({ enum: CONFIG_SOURCES })
  source: ConfigSource;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class CreateAlertChannelDto {
  @ApiProperty({ pattern: ALERT_NAME_PATTERN.source, example: 'oncall-slack' })
  @IsAlertName()
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  @IsIn(CHANNEL_KINDS)
  kind: ChannelKind;

  @ApiProperty(CONFIG_SCHEMA)
  @IsObject()
  config: Record<string, unknown>;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;
}

/** The kind can't change; `config`, when given, replaces the whole config (credentials sent as `********` are kept). */
export class UpdateAlertChannelDto {
  @ApiPropertyOptional({ pattern: ALERT_NAME_PATTERN.source })
  @Omittable()
  @IsAlertName()
  name?: string;

  @ApiPropertyOptional(CONFIG_SCHEMA)
  @Omittable()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional()
  @Omittable()
  @IsBoolean()
  enabled?: boolean;
}

export class AlertChannelListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CHANNEL_KINDS })
  @Omittable()
  @IsIn(CHANNEL_KINDS)
  kind?: ChannelKind;
}

export class AlertChannelPageDto extends PageOf(AlertChannelDto) {}

/** The channel accepted the test notification. */
export class ChannelTestResultDto {
  delivered: boolean;

  /** How long the channel took to accept it. */
  durationMs: number;
}
