import type { FastifyInstance } from 'fastify';

const SERIALIZED = Symbol('serialized JSON');

/**
 * Attaches a body's JSON to it, for a response that is served many times unchanged (a page of the tool registry
 * between two changes): Fastify then sends the string instead of serializing the object again on every request.
 * The body must not change afterwards.
 */
export function preSerialize<T extends object>(body: T): T {
  Object.defineProperty(body, SERIALIZED, { value: JSON.stringify(body) });
  return body;
}

export function registerPreSerializedBodies(fastify: FastifyInstance): void {
  fastify.setReplySerializer((payload) => (payload as { [SERIALIZED]?: string } | null)?.[SERIALIZED] ?? JSON.stringify(payload));
}
