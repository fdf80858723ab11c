// The most a liveness answer served inside Nest can do with the headers the app promises on every answer: Nest on
// Fastify with no module content at all, liveness a plain Fastify route, plus only the app's own security headers
// (libs/core/src/http/security-headers.ts) and request id (X-Request-Id, generated or kept by the same rule).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { registerRequestIdEcho, requestIdFor } from '../dist/libs/core/src/http/request-id.js';
import { registerSecurityHeaders } from '../dist/libs/core/src/http/security-headers.js';

class EmptyModule {}
Module({})(EmptyModule);

const app = await NestFactory.create(EmptyModule, new FastifyAdapter({ genReqId: requestIdFor, requestIdHeader: false }), { logger: false });
const fastify = app.getHttpAdapter().getInstance();
registerSecurityHeaders(fastify);
registerRequestIdEcho(fastify);
const LIVE = { status: 'ok', info: {}, error: {}, details: {} };
fastify.get('/health/live', (_request, reply) => reply.send(LIVE));
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${await app.getUrl()} \n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
