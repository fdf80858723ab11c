import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  DiskHealthIndicator,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { healthConfig, ReadinessChecks, RedisService } from '@app/core';
import { RedisHealthIndicator } from './redis.health.js';
import { ShutdownService } from './shutdown.service.js';

const PING_TIMEOUT_MS = 1500;

export interface ReadinessReport {
  /** Whether every check is up (and the instance is not draining). */
  ready: boolean;
  result: HealthCheckResult;
}

/**
 * The readiness checks, in one place for the probe and for whoever else must know whether a dependency is up (the
 * alert rules): database, Redis when configured, memory, disk, the features' own checks, and whether it is draining.
 */
@Injectable()
export class ReadinessProbe {
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

  /** Runs every check, each under its timeout; a dependency that is down is reported, never thrown. */
  async check(): Promise<ReadinessReport> {
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
      return { ready: true, result: await this.health.check(checks) };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ready: false, result: error.getResponse() as HealthCheckResult };
    }
  }

  private acceptingTraffic() {
    const session = this.indicators.check('lifecycle');
    return this.shutdown.draining ? session.down({ message: 'draining for shutdown' }) : session.up();
  }
}
