import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.service.js';

/** Requests that matched no route share one label, so scanners can't mint a series per path. */
const UNMATCHED = 'unmatched';

/** Times every request by its route template (`/tools/:name`, never the raw path). Plain Fastify hook: no per-request context. */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  const histogram = metrics.httpRequestDuration;
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    histogram.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });
}
