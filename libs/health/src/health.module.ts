import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessProbe } from './readiness-probe.service.js';
import { RedisHealthIndicator } from './redis.health.js';
import { ShutdownService } from './shutdown.service.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, ShutdownService, ReadinessProbe],
  exports: [ShutdownService, ReadinessProbe],
})
export class HealthModule {}
