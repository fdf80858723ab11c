import { Controller, Get, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  DiskHealthIndicator,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { healthConfig, Public, ReadinessChecks, RedisService, SkipRateLimit } from '@app/core';
import { HealthStatusDto } from './health-status.dto.js';
import { LIVE } from './liveness-route.js';
import { RedisHealthIndicator } from './redis.health.js';
import { ShutdownService } from './shutdown.service.js';

const PING_TIMEOUT_MS = 1500;

/** Open to probes: no API key, no rate limit. */
@ApiTags('health')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly redisIndicator: RedisHealthIndicator,
    private readonly redis: RedisService,
    private readonly shutdown: ShutdownService,
    private readonly featureChecks: ReadinessChecks,
  ) {}

  /** Liveness: the process is up and its event loop answers. Touches no dependency. Fastify answers it: see answerLivenessInFastify. */
  @Get()
  @ApiOperation({ summary: 'Liveness (alias of /health/live)' })
  @ApiOkResponse({ type: HealthStatusDto, description: 'The process is up' })
  check(): HealthStatusDto {
    return LIVE;
  }

  /** Liveness for Kubernetes `livenessProbe`: never fails because a dependency is down. Fastify answers it: see answerLivenessInFastify. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness probe' })
  @ApiOkResponse({ type: HealthStatusDto, description: 'The process is up' })
  live(): HealthStatusDto {
    return LIVE;
  }

  /** Readiness for Kubernetes `readinessProbe`: database, Redis (when configured), memory, disk; 503 while draining. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe' })
  @ApiOkResponse({ type: HealthStatusDto, description: 'Every dependency is up' })
  @ApiServiceUnavailableResponse({ type: HealthStatusDto, description: 'A dependency is down or the instance is draining' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.acceptingTraffic(),
      () => this.database.pingCheck('database', { timeout: PING_TIMEOUT_MS }),
      () => this.memory.checkHeap('memory_heap', this.config.heapMaxBytes),
      () => this.memory.checkRSS('memory_rss', this.config.rssMaxBytes),
      () => this.disk.checkStorage('disk', { path: this.config.diskPath, thresholdPercent: this.config.diskMaxUsedRatio }),
    ];
    if (this.redis.configured) checks.push(() => this.redisIndicator.check('redis', PING_TIMEOUT_MS));
    for (const [name, check] of this.featureChecks.entries()) {
      checks.push(() => {
        const { up, details } = check();
        const indicator = this.indicators.check(name);
        return up ? indicator.up(details) : indicator.down(details);
      });
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Probes read the Terminus body on 503 too, so it is sent as is rather than as a problem.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private acceptingTraffic() {
    const session = this.indicators.check('lifecycle');
    return this.shutdown.draining ? session.down({ message: 'draining for shutdown' }) : session.up();
  }
}
