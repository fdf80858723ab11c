import type { FastifyRequest } from 'fastify';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

/** Where clients reach us: PUBLIC_URL behind a proxy, else the scheme and host this request came in on. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** RFC 9728 protected-resource metadata for /mcp: API keys as bearer tokens in the Authorization header. */
export function protectedResourceMetadata(base: string) {
  return {
    resource: `${base}/mcp`,
    resource_name: 'MCP Assistant',
    bearer_methods_supported: ['header'],
    scopes_supported: ['tools:read', 'tools:invoke', 'history:read'],
    resource_documentation: `${base}/docs`,
  };
}
