// Nest on Fastify with nothing but one controller answering the liveness JSON: the framework's own floor.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

class HealthController {
  live() {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }
}
Controller('health')(HealthController);
Get('live')(HealthController.prototype, 'live', Object.getOwnPropertyDescriptor(HealthController.prototype, 'live'));

class BareModule {}
Module({ controllers: [HealthController] })(BareModule);

const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${await app.getUrl()} \n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
