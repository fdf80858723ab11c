import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import {
  APP_VERSION,
  httpConfig,
  metricsConfig,
  registerAccessLog,
  registerContentNegotiation,
  registerPreSerializedBodies,
  registerRequestIdEcho,
  registerSecurityHeaders,
  requestIdFor,
  ROOT_LOGGER,
  setupOpenApi,
} from '@app/core';
import { answerLivenessInFastify } from '@app/health';
import { Metrics, registerHttpMetrics } from '@app/observability';
import { AppModule } from './app.module.js';

/**
 * Builds the HTTP app exactly as production runs it (tests and the OpenAPI export use it too); does not listen.
 * Tests may pass a module that imports AppModule and adds routes of their own.
 */
export async function createApp(rootModule: Type = AppModule): Promise<NestFastifyApplication> {
  const http = httpConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimit,
    // Fastify takes a hop count too, though Nest's adapter type leaves numbers out.
    trustProxy: http.trustProxy as boolean | string[],
    genReqId: requestIdFor,
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));

  const fastify = app.getHttpAdapter().getInstance();
  registerSecurityHeaders(fastify);
  registerRequestIdEcho(fastify);
  registerAccessLog(fastify, app.get(ROOT_LOGGER));
  if (metricsConfig().enabled) registerHttpMetrics(fastify, app.get(Metrics));
  registerContentNegotiation(fastify);
  registerPreSerializedBodies(fastify);
  answerLivenessInFastify(fastify);
  if (http.corsOrigins) {
    app.enableCors({ origin: http.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] });
  }
  setupOpenApi(app, APP_VERSION);
  await app.init();
  return app;
}
