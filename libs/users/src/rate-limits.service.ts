import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { DomainException, rateLimitConfig, redisConfig, RedisService } from '@app/core';
import type { Principal } from './principal.js';

/**
 * One budget per API key across all routes and /mcp (per client IP for anonymous callers), counted in Redis so every
 * instance draws on the same budget; in memory when Redis is not configured, and — rather than failing or holding
 * requests — while it is unreachable or slow.
 */
@Injectable()
export class RateLimits {
  private readonly limiter?: RateLimiterAbstract;

  constructor(
    @Inject(rateLimitConfig.KEY) private readonly config: ConfigType<typeof rateLimitConfig>,
    @Inject(redisConfig.KEY) redisSettings: ConfigType<typeof redisConfig>,
    redis: RedisService,
  ) {
    if (config.limit === 0) return;
    const window = { points: config.limit, duration: config.windowMs / 1000 };
    const memory = new RateLimiterMemory(window);
    if (!redis.client) {
      this.limiter = memory;
      return;
    }
    const shared = new RateLimiterRedis({
      ...window,
      storeClient: redis.client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix: redis.key('ratelimit'),
      insuranceLimiter: memory,
    });
    this.limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: redisSettings.connectTimeoutMs, insuranceLimiter: memory });
  }

  /** Spends one request of the caller's budget and says what is left in the reply's headers; 429 when none is. */
  async consume(principal: Principal | undefined, ip: string, reply: FastifyReply): Promise<void> {
    if (!this.limiter) return;
    const tracker = principal ? `key:${principal.keyId ?? 'builtin'}` : `ip:${ip}`;
    try {
      this.setHeaders(reply, await this.limiter.consume(tracker));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.setHeaders(reply, rejection);
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new DomainException({
        status: 429,
        code: 'RATE_LIMITED',
        title: 'Too many requests',
        detail: `The limit is ${this.config.limit} requests per ${this.config.windowMs / 1000} s; retry after ${retryAfter} s.`,
        headers: { 'retry-after': String(retryAfter) },
      });
    }
  }

  private setHeaders(reply: FastifyReply, state: RateLimiterRes): void {
    reply.header('x-ratelimit-limit', this.config.limit);
    reply.header('x-ratelimit-remaining', state.remainingPoints);
    reply.header('x-ratelimit-reset', Math.ceil(state.msBeforeNext / 1000));
  }
}
