import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';

/** The SDK passes authInfo through to handlers untouched: the principal the HTTP layer resolved rides in `extra`. */
export function authInfoFor(principal: Principal, token: string | undefined): AuthInfo {
  return { token: token ?? '', clientId: principal.keyId ?? principal.userId, scopes: [...principal.scopes], extra: { principal } };
}

/**
 * The caller of a request: the principal the HTTP layer resolved for it, else the connection's own (stdio has no
 * per-request authentication: its one caller is resolved when the process starts).
 */
export function principalOf(context: Pick<ServerContext, 'http'>, connectionPrincipal?: Principal): Principal {
  const principal = (context.http?.authInfo?.extra?.principal as Principal | undefined) ?? connectionPrincipal;
  // Every request passes McpAuthenticator first; a handler without a principal is a wiring bug, never a caller's doing.
  if (!principal) throw new Error('MCP request reached a handler without an authenticated principal');
  return principal;
}
