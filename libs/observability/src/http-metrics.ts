import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import type { Metrics } from './metrics.service.js';

/** Requests that matched no route share one label, so scanners can't mint a series per path. */
const UNMATCHED = 'unmatched';

/**
 * Times every request by its route template (`/tools/:name`, never the raw path). Each route gets its own onResponse
 * hook that already knows its template (reading `request.routeOptions` builds an object per request, a tenth of a
 * light route's cost); one global hook, a field read per request, times the requests no route matched.
 * Call before the routes are registered (before `app.init()`).
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  const timer = (route: string) => {
    const record = metrics.httpRequestDuration.recorder(route);
    return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      record(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
  };
  fastify.addHook('onRoute', (route) => {
    const hooks = route.onResponse === undefined ? [] : [route.onResponse].flat();
    route.onResponse = [...hooks, timer(route.url) as onResponseHookHandler];
  });
  const unmatched = timer(UNMATCHED);
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched(request, reply, done);
    else done();
  });
}
