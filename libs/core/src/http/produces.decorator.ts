import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * Media types a route answers with, when they differ from JSON and XML (for example text/event-stream).
 * Kept in the Fastify route config, where the negotiation hooks read it without entering Nest's pipeline.
 */
export const Produces = (...mediaTypes: string[]) => RouteConfig({ produces: mediaTypes });
