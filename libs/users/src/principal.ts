import type { UserRole, UserStatus } from './entities/user.entity.js';

/** What an API key may do; `*` grants everything the owner's role allows. */
export const API_KEY_SCOPES = ['*', 'users:read', 'users:write', 'keys:read', 'keys:write', 'audit:read', 'history:read', 'history:write', 'tools:read', 'tools:invoke', 'tools:write', 'agents:read', 'agents:write', 'agents:run', 'alerts:read', 'alerts:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The user behind a request, as handlers and /users/me see it. */
export interface UserProfile {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
}

/** Who is calling: resolved once per request by the auth guard and handed to every handler, MCP and agents. */
export interface Principal {
  userId: string;
  role: UserRole;
  /** The API key used; null for the built-in admin of API_KEY. */
  keyId: string | null;
  scopes: readonly string[];
  user: UserProfile;
}

export function hasScope(principal: Pick<Principal, 'scopes'>, scope: string): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(scope);
}

/** Who an audit event names: a request's principal, or nobody for the operator's command line. */
export interface AuditActor {
  principal: Pick<Principal, 'userId' | 'keyId'> | null;
  requestId: string | null;
  ip: string | null;
}

/** An authenticated request's caller plus the facts its audit events record. */
export interface Actor extends AuditActor {
  principal: Principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
