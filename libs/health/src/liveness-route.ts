import type { FastifyInstance } from 'fastify';
import type { HealthStatusDto } from './health-status.dto.js';

/** What liveness answers: the process is up. Nothing is checked, so nothing can fail. */
export const LIVE: HealthStatusDto = { status: 'ok', info: {}, error: {}, details: {} };

/** The routes HealthController declares for liveness (documented there, in the OpenAPI document). */
const LIVENESS_ROUTES = new Set(['/health', '/health/live']);

/**
 * Liveness is probed every few seconds by every orchestrator and balancer, and its answer never varies, so Fastify
 * answers it directly: the route keeps its declaration, documentation and every Fastify hook (request id, security
 * headers, access log, metrics, content negotiation), but skips Nest's router (global guards that would only find
 * `@Public()`, the exception filter, the handler proxy), which cost about a third of the probe's CPU.
 * Registered before Nest adds its routes: `onRoute` sees each as it is added.
 */
export function answerLivenessInFastify(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.method === 'GET' && LIVENESS_ROUTES.has(route.url)) route.handler = (_request, reply) => reply.send(LIVE);
  });
}
