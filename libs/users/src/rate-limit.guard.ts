import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SKIP_RATE_LIMIT } from '@app/core';
import { RateLimits } from './rate-limits.service.js';

/** Spends a request of the caller's budget on every route but those marked @SkipRateLimit. Runs after AuthGuard, which puts the principal on the request. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limits: RateLimits,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    await this.limits.consume(request.principal, request.ip, http.getResponse<FastifyReply>());
    return true;
  }
}
