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

const FILE_DESCRIPTORS = { stdout: 1, stderr: 2 } as const;

/** The one pino logger: JSON lines (pretty with DEBUG_MODE) on stdout or stderr, credentials redacted. */
export function createRootLogger(config: ConfigType<typeof loggingConfig>): Logger {
  const fd = FILE_DESCRIPTORS[config.destination];
  const options = { level: config.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (config.pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true, destination: fd } } });
  return pino(options, pino.destination(fd));
}
