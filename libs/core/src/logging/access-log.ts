import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Level, Logger } from 'pino';

const PROBE_PATH = /^\/health(\/|$|\?)/;

function levelOf(request: FastifyRequest, reply: FastifyReply): Level {
  if (reply.statusCode >= 500) return 'error';
  if (PROBE_PATH.test(request.url)) return 'debug'; // probes hit every few seconds
  return reply.statusCode >= 400 ? 'warn' : 'info';
}

/**
 * Writes one access line per request, at a level by outcome, with its request id, and of the request's headers only
 * the User-Agent: every header meant a bigger line and a redaction pass on each request. A plain Fastify hook:
 * a per-request AsyncLocalStorage context (what nestjs-pino's middleware sets up) costs two thirds of a light
 * route's throughput on Node 20, so request ids travel explicitly instead (echoed by registerRequestIdEcho).
 *
 * The line is built here from fields that hold no credential, so it skips the root logger's redaction: its `req` and
 * `res` keys would otherwise be walked for header paths they never have, on every request.
 */
export function registerAccessLog(fastify: FastifyInstance, root: Logger): void {
  const logger = root.child({}, { redact: [] });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = levelOf(request, reply);
    if (logger.isLevelEnabled(level)) {
      logger[level](
        {
          requestId: request.id,
          req: { method: request.method, url: request.url, remoteAddress: request.ip, userAgent: request.headers['user-agent'] },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}
