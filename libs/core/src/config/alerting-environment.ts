import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { OptionalHttpUrl, toBoolean, toInteger, toList } from './environment-transforms.js';

/** A phone number as Twilio-compatible APIs take it: E.164, `+` and up to 15 digits. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The alerting variables: evaluation, delivery, and the channels an operator configures without the API. Kept apart
 * from the rest of the environment for size; Environment extends it, so they are read and validated as one.
 */
export class AlertingEnvironment {
  /** Evaluates alert rules on a schedule (one instance at a time) and delivers notifications. */
  @Transform(toBoolean)
  @IsBoolean()
  ALERTS_ENABLED = true;

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  ALERT_EVAL_INTERVAL_MS = 15_000;

  /** Creates the rules "database down" and, with Redis configured, "redis down". */
  @Transform(toBoolean)
  @IsBoolean()
  ALERT_DEFAULT_RULES = true;

  /** Readiness checks failed in a row before a default dependency rule fires. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  ALERT_DEPENDENCY_FAILURES = 3;

  /** After a rule resolves it does not fire again for this long (default rules, and API rules that name none). */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  ALERT_COOLDOWN_SECONDS = 300;

  /** Tries per notification and channel before it is recorded as failed. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(10)
  ALERT_DELIVERY_ATTEMPTS = 4;

  /** The wait before the first retry; doubled for each retry after it. */
  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(300_000)
  ALERT_DELIVERY_BACKOFF_MS = 1000;

  /** How long one delivery attempt may take. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(60_000)
  ALERT_DELIVERY_TIMEOUT_MS = 5000;

  /** Names this deployment in notifications (PagerDuty's `source`); default: the host name. */
  @IsOptional()
  @IsString()
  ALERT_SOURCE?: string;

  @OptionalHttpUrl()
  ALERT_SLACK_WEBHOOK_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  ALERT_PAGERDUTY_ROUTING_KEY?: string;

  /** The Events API v2 base; events go to `<base>/v2/enqueue`. */
  @OptionalHttpUrl()
  ALERT_PAGERDUTY_URL?: string;

  @OptionalHttpUrl()
  ALERT_WEBHOOK_URL?: string;

  /** Signs each webhook body: `X-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ALERT_WEBHOOK_SECRET must be at least 16 characters long' })
  ALERT_WEBHOOK_SECRET?: string;

  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'ALERT_SMTP_URL must be an smtp:// or smtps:// URL' })
  ALERT_SMTP_URL?: string;

  @IsOptional()
  @IsString()
  ALERT_EMAIL_FROM?: string;

  @Transform(toList)
  @IsEmail({}, { each: true, message: 'ALERT_EMAIL_TO must be comma-separated email addresses' })
  ALERT_EMAIL_TO: string[] = [];

  @IsOptional()
  @Matches(/^AC[0-9a-zA-Z]{8,64}$/, { message: 'ALERT_TWILIO_ACCOUNT_SID must be an account SID (AC…)' })
  ALERT_TWILIO_ACCOUNT_SID?: string;

  @IsOptional()
  @IsString()
  ALERT_TWILIO_AUTH_TOKEN?: string;

  @IsOptional()
  @Matches(E164, { message: 'ALERT_TWILIO_FROM must be a phone number in E.164 form (+15551234567)' })
  ALERT_TWILIO_FROM?: string;

  @Transform(toList)
  @Matches(E164, { each: true, message: 'ALERT_SMS_TO must be comma-separated phone numbers in E.164 form (+15551234567)' })
  ALERT_SMS_TO: string[] = [];

  /** Another Twilio-compatible API; messages go to `<base>/2010-04-01/Accounts/<sid>/Messages.json`. */
  @OptionalHttpUrl()
  ALERT_TWILIO_BASE_URL?: string;
}

/** Alerting values that carry credentials: never echoed in a configuration error. */
export const ALERTING_SECRET_KEYS = ['ALERT_SLACK_WEBHOOK_URL', 'ALERT_PAGERDUTY_ROUTING_KEY', 'ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET', 'ALERT_SMTP_URL', 'ALERT_TWILIO_AUTH_TOKEN'];

/** Variables that only work together: a channel half configured is a mistake to stop on, not to ignore. */
const TOGETHER: string[][] = [
  ['ALERT_SMTP_URL', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'],
  ['ALERT_TWILIO_ACCOUNT_SID', 'ALERT_TWILIO_AUTH_TOKEN', 'ALERT_TWILIO_FROM', 'ALERT_SMS_TO'],
];

const isSet = (value: unknown) => value !== undefined && !(Array.isArray(value) && value.length === 0);

/** Why the alerting variables don't fit together, or undefined when they do. */
export function alertingProblem(env: AlertingEnvironment): string | undefined {
  const values = env as unknown as Record<string, unknown>;
  for (const group of TOGETHER) {
    const given = group.filter((key) => isSet(values[key]));
    const missing = group.filter((key) => !isSet(values[key]));
    if (given.length > 0 && missing.length > 0) return `${missing.join(', ')} must be set too: ${given.join(', ')} configure a channel together with them`;
  }
  if (env.ALERT_WEBHOOK_SECRET && !env.ALERT_WEBHOOK_URL) return 'ALERT_WEBHOOK_SECRET is set without ALERT_WEBHOOK_URL';
  if (env.ALERT_PAGERDUTY_URL && !env.ALERT_PAGERDUTY_ROUTING_KEY) return 'ALERT_PAGERDUTY_URL is set without ALERT_PAGERDUTY_ROUTING_KEY';
  if (env.ALERT_TWILIO_BASE_URL && !env.ALERT_TWILIO_ACCOUNT_SID) return 'ALERT_TWILIO_BASE_URL is set without the ALERT_TWILIO_* channel';
  return undefined;
}
