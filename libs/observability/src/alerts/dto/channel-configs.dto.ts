import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { ChannelKind } from '../entities/alert-channel.entity.js';

/** What admins see instead of a credential; sent back unchanged on a PATCH, it keeps the stored value. */
export const MASKED = '********';

const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const E164 = /^\+[1-9]\d{6,14}$/;
const E164_MESSAGE = 'must be a phone number in E.164 form (+15551234567)';

export class SlackChannelConfigDto {
  /** The incoming webhook URL (`https://hooks.slack.com/services/…`). A credential: stored encrypted, read back masked. */
  @ApiProperty({ example: 'https://hooks.slack.com/services/T000/B000/XXXX' })
  @MaxLength(2000)
  @IsUrl(HTTP_URL, { message: 'webhookUrl must be an http or https URL' })
  webhookUrl: string;
}

export class PagerDutyChannelConfigDto {
  /** The Events API v2 integration (routing) key of the service. A credential: stored encrypted, read back masked. */
  @ApiProperty({ example: 'R0ut1ngK3y0fTh3S3rv1c3xxxxxxxxxx' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  routingKey: string;

  /** The Events API base; events go to `<url>/v2/enqueue`. */
  @ApiPropertyOptional({ default: 'https://events.pagerduty.com' })
  @IsOptional()
  @MaxLength(2000)
  @IsUrl(HTTP_URL, { message: 'url must be an http or https URL' })
  url?: string;
}

export class WebhookChannelConfigDto {
  /** Receives each notification as a JSON POST. A credential (URLs often carry tokens): stored encrypted, read back masked. */
  @ApiProperty({ example: 'https://hooks.example.com/alerts' })
  @MaxLength(2000)
  @IsUrl(HTTP_URL, { message: 'url must be an http or https URL' })
  url: string;

  /** Signs each body: `X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. Stored encrypted, read back masked. */
  @ApiPropertyOptional({ minLength: 16, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  secret?: string;
}

export class EmailChannelConfigDto {
  /** The SMTP server. */
  @ApiProperty({ example: 'smtp.example.com' })
  @Matches(/^[A-Za-z0-9.:[\]-]{1,253}$/, { message: 'host must be a host name or an IP address' })
  host: string;

  @ApiPropertyOptional({ default: 587, minimum: 1, maximum: 65535 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  /** TLS from the start (port 465); otherwise STARTTLS is used when the server offers it. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  username?: string;

  /** Stored encrypted, read back masked. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  password?: string;

  @ApiProperty({ example: 'MCP Assistant <alerts@example.com>' })
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  from: string;

  @ApiProperty({ example: ['oncall@example.com'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  to: string[];
}

export class SmsChannelConfigDto {
  @ApiProperty({ example: 'AC0123456789abcdef0123456789abcdef' })
  @Matches(/^AC[0-9a-zA-Z]{8,64}$/, { message: 'accountSid must be an account SID (AC…)' })
  accountSid: string;

  /** Stored encrypted, read back masked. */
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authToken: string;

  @ApiProperty({ example: '+15551230000' })
  @Matches(E164, { message: `from ${E164_MESSAGE}` })
  from: string;

  @ApiProperty({ example: ['+15551234567'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(E164, { each: true, message: `each of to ${E164_MESSAGE}` })
  to: string[];

  /** Another Twilio-compatible API; messages go to `<baseUrl>/2010-04-01/Accounts/<accountSid>/Messages.json`. */
  @ApiPropertyOptional({ default: 'https://api.twilio.com' })
  @IsOptional()
  @MaxLength(2000)
  @IsUrl(HTTP_URL, { message: 'baseUrl must be an http or https URL' })
  baseUrl?: string;
}

/** The config class of each kind: what `config` is validated against and documented as. */
export const CHANNEL_CONFIG_DTOS = {
  slack: SlackChannelConfigDto,
  pagerduty: PagerDutyChannelConfigDto,
  webhook: WebhookChannelConfigDto,
  email: EmailChannelConfigDto,
  sms: SmsChannelConfigDto,
} satisfies Record<ChannelKind, new () => object>;
