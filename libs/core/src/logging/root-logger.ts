import type { ConfigType } from '@nestjs/config';
import { pino, type Logger } from 'pino';
import type { loggingConfig } from '../config/configuration.js';
import { LineBatch } from './line-batch.js';

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

/** Lines are written once this many bytes are waiting, and at the latest every FLUSH_INTERVAL_MS. */
const BUFFER_BYTES = 4096;
const FLUSH_INTERVAL_MS = 100;

const flushing = new WeakMap<Logger, { timer: NodeJS.Timeout; batch: LineBatch }>();

/**
 * The one pino logger: JSON lines (pretty with DEBUG_MODE) on stdout or stderr, credentials redacted. Lines are
 * batched up to 4 KB or 100 ms (see LineBatch): a write per line (one access line per request) cost a busy server
 * about 8 µs a request. What is still batched is written when the process exits, fatal errors and process.exit
 * included.
 */
export function createRootLogger(config: ConfigType<typeof loggingConfig>): Logger {
  const fd = FILE_DESCRIPTORS[config.destination];
  const options = { level: config.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (config.pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true, destination: fd } } });
  const batch = new LineBatch(pino.destination({ dest: fd }), BUFFER_BYTES);
  const logger = pino(options, batch);
  // flush() throws once the stream is closed (a test that ended the logger); the next interval would only throw again.
  const timer = setInterval(() => {
    try {
      batch.flush();
    } catch {
      clearInterval(timer);
    }
  }, FLUSH_INTERVAL_MS).unref();
  flushing.set(logger, { timer, batch });
  return logger;
}

/** Writes what is batched and stops batching (at shutdown): later lines are written as they come. */
export function stopFlushing(logger: Logger): void {
  const state = flushing.get(logger);
  if (state) {
    clearInterval(state.timer);
    state.batch.stopBatching();
  }
  // The pretty transport (DEBUG_MODE) has no batch, but its worker may still hold lines.
  logger.flush();
}
