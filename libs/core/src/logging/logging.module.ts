import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { loggingConfig } from '../config/configuration.js';

/** Header values that authenticate a caller never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

const PROBE_PATH = /^\/health(\/|$|\?)/;

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [loggingConfig.KEY],
      useFactory: (config: ConfigType<typeof loggingConfig>) => ({
        pinoHttp: {
          level: config.level,
          transport: config.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Fastify assigned the id (from X-Request-Id or new) before any middleware runs.
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
          customAttributeKeys: { reqId: 'requestId' },
          // Probes hit every few seconds; they are visible at debug only.
          customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
            if (error || res.statusCode >= 500) return 'error';
            if (PROBE_PATH.test(req.url ?? '')) return 'debug';
            return res.statusCode >= 400 ? 'warn' : 'info';
          },
        },
        // In-request log lines carry only the request id, not the whole request.
        quietReqLogger: true,
      }),
    }),
  ],
})
export class LoggingModule {}
