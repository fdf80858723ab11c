import type { ConfigType } from '@nestjs/config';
import { pino, type Logger } from 'pino';
import type { loggingConfig } from '../config/configuration.js';

/** Header values that authenticate a caller never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** The one pino logger: JSON lines (pretty with DEBUG_MODE), credentials redacted. */
export function createRootLogger(config: ConfigType<typeof loggingConfig>): Logger {
  return pino({
    level: config.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: config.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}
