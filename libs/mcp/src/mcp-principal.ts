import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';

/** The SDK passes authInfo through to handlers untouched: the principal the HTTP layer resolved rides in `extra`. */
export function authInfoFor(principal: Principal, token: string | undefined): AuthInfo {
  return { token: token ?? '', clientId: principal.keyId ?? principal.userId, scopes: [...principal.scopes], extra: { principal } };
}

export function principalOf(context: Pick<ServerContext, 'http'>): Principal {
  const principal = context.http?.authInfo?.extra?.principal as Principal | undefined;
  // Every request passes McpAuthenticator first; a handler without a principal is a wiring bug, never a caller's doing.
  if (!principal) throw new Error('MCP request reached a handler without an authenticated principal');
  return principal;
}
