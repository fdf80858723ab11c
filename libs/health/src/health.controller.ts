import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '@app/core';
import { HealthStatusDto } from './health-status.dto.js';
import { LIVE } from './liveness-route.js';
import { ReadinessProbe } from './readiness-probe.service.js';

/** Open to probes: no API key, no rate limit. */
@ApiTags('health')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessProbe) {}

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
    const { ready, result } = await this.readiness.check();
    // Probes read the Terminus body on 503 too, so it is sent as is rather than as a problem.
    if (!ready) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }
}
