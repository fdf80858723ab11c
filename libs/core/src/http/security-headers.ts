import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/** The headers helmet sets for these options; none depend on the request, so they are worked out once. */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * Helmet's security headers on every answer. Helmet's default CSP fits the Swagger UI (external scripts, inline
 * styles); without upgrade-insecure-requests, so /docs also loads over plain HTTP on a laptop or behind a
 * TLS-terminating balancer. @fastify/helmet rebuilds helmet on every request, which halved liveness throughput here;
 * the headers are constant, so they are computed by helmet once and copied onto each reply.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const headers = helmetHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
