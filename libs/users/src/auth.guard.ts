import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '@app/core';
import { ApiKeyAuthenticator, credentialFrom } from './api-key-authenticator.service.js';
import { REQUIRED_ROLES, REQUIRED_SCOPES } from './auth.decorators.js';
import type { UserRole } from './entities/user.entity.js';
import { hasScope } from './principal.js';
import { forbidden } from './users.errors.js';

/** Global: every route needs an API key unless marked @Public(); then role and scope requirements are checked. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticator.authenticate(credentialFrom(request.headers));
    request.principal = principal;

    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw forbidden('ROLE_REQUIRED', `This operation needs the ${roles.join(' or ')} role.`);
    }
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = scopes.filter((scope) => !hasScope(principal, scope));
    if (missing.length > 0) throw forbidden('SCOPE_REQUIRED', `The API key in use lacks the scope ${missing.join(', ')}.`);
    return true;
  }
}
