import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from '@app/core';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  /** PING within the timeout; a dead or unreachable Redis is `down` at once, never a hang. */
  check(key: string, timeoutMs: number) {
    return this.health.check(key).attempt(() => this.redis.ping(timeoutMs)).withTimeout(timeoutMs);
  }
}
