import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
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

/** Nest's middleware on Fastify rewrites req.url to the part after the matched path; the full path stays here. */
const pathOf = (req: IncomingMessage) => (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';

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
          // In-request log lines carry only the request id, not the whole request.
          quietReqLogger: true,
          // Probes hit every few seconds; they are visible at debug only.
          customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
            if (error || res.statusCode >= 500) return 'error';
            if (PROBE_PATH.test(pathOf(req))) return 'debug';
            return res.statusCode >= 400 ? 'warn' : 'info';
          },
        },
        // nestjs-pino's default route pattern matches nothing on Nest 12 with Fastify; this one matches every path.
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
      }),
    }),
  ],
})
export class LoggingModule {}
