import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainException, metricsConfig, Produces, Public, SkipRateLimit } from '@app/core';
import { Registry } from 'prom-client';
import { Metrics } from './metrics.service.js';

/**
 * Prometheus scrapes this. Not part of the REST API (no API key, not in the OpenAPI document, not rate limited);
 * with METRICS_TOKEN set, only a scraper presenting it as a Bearer token gets an answer.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>,
    private readonly metrics: Metrics,
  ) {}

  @Get()
  @Produces('text/plain')
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  async scrape(@Headers('authorization') authorization?: string): Promise<string> {
    this.checkToken(authorization);
    return this.metrics.registry.metrics();
  }

  private checkToken(authorization: string | undefined): void {
    if (!this.config.enabled) {
      throw new DomainException({ status: 404, code: 'METRICS_DISABLED', title: 'Metrics are turned off', detail: 'METRICS_ENABLED is false on this server.' });
    }
    const expected = this.config.token;
    if (!expected) return;
    const given = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
    const wanted = Buffer.from(expected);
    if (given.length === wanted.length && timingSafeEqual(given, wanted)) return;
    throw new DomainException({
      status: 401,
      code: 'METRICS_TOKEN_REQUIRED',
      title: 'Metrics token required',
      detail: 'GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`.',
      headers: { 'www-authenticate': 'Bearer realm="metrics"' },
    });
  }
}
