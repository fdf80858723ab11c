import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { UserRole } from './entities/user.entity.js';
import type { Actor, ApiKeyScope, Principal } from './principal.js';

export const REQUIRED_ROLES = 'mcpa:roles';
export const REQUIRED_SCOPES = 'mcpa:scopes';

/** Routes only these roles may call (403 for others). */
export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Scopes the caller's API key must hold (403 without them). */
export const RequireScopes = (...scopes: Exclude<ApiKeyScope, '*'>[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** Documents a controller's routes as needing an API key, by either header, and the errors that follow from it. */
export const ApiKeyAuth = () =>
  applyDecorators(
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiUnauthorizedResponse({ description: 'No API key, or a key that is unknown, revoked, expired or of a disabled user' }),
    ApiForbiddenResponse({ description: 'The caller lacks the role or the key lacks the scope' }),
    ApiTooManyRequestsResponse({ description: 'Rate limit reached; see Retry-After' }),
  );

function requestOf(context: ExecutionContext): FastifyRequest {
  return context.switchToHttp().getRequest<FastifyRequest>();
}

function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('no principal on a route that requires one: is the route @Public()?');
  return request.principal;
}

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => principalOf(requestOf(context)));

/** The caller plus the request facts an audit event keeps (request id, client IP as TRUST_PROXY resolves it). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = requestOf(context);
  return { principal: principalOf(request), requestId: String(request.id), ip: request.ip ?? null };
});
