import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { DomainException, rateLimitConfig, redisConfig, RedisService, SKIP_RATE_LIMIT } from '@app/core';

/**
 * One budget per API key across all routes (per client IP for anonymous callers), counted in Redis so every
 * instance draws on the same budget; in memory when Redis is not configured, and — rather than failing or holding
 * requests — while it is unreachable or slow. Runs after AuthGuard, which puts the principal on the request.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiter?: RateLimiterAbstract;

  constructor(
    @Inject(rateLimitConfig.KEY) private readonly config: ConfigType<typeof rateLimitConfig>,
    @Inject(redisConfig.KEY) redisSettings: ConfigType<typeof redisConfig>,
    private readonly reflector: Reflector,
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const tracker = request.principal ? `key:${request.principal.keyId ?? 'builtin'}` : `ip:${request.ip}`;
    try {
      this.setHeaders(reply, await this.limiter.consume(tracker));
      return true;
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
