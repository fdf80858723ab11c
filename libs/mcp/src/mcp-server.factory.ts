import { Injectable } from '@nestjs/common';
import { Server, type ServerContext } from '@modelcontextprotocol/server';
import { APP_VERSION } from '@app/core';
import type { Principal } from '@app/users';
import { principalOf } from './mcp-principal.js';
import { McpTools } from './mcp-tools.service.js';
import { McpPrompts } from './prompts/mcp-prompts.service.js';
import { McpResources } from './resources/mcp-resources.service.js';

export const SERVER_INFO = { name: 'mcp-assistant', title: 'MCP Assistant', version: APP_VERSION };

/**
 * Builds the protocol face of the registry: a low-level SDK Server whose handlers read the caller from each request,
 * so one instance serves any principal and instances can be pooled. Every method answers from the shared services.
 */
@Injectable()
export class McpServerFactory {
  constructor(
    private readonly tools: McpTools,
    private readonly resources: McpResources,
    private readonly prompts: McpPrompts,
  ) {}

  /** `principal`: the one caller of a connection that has no per-request authentication (stdio). */
  build(options: { principal?: Principal } = {}): Server {
    const caller = (context: ServerContext) => principalOf(context, options.principal);
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true }, prompts: {}, completions: {}, logging: {} },
    });
    server.setRequestHandler('tools/list', (request, context) => this.tools.list(caller(context), request.params?.cursor));
    server.setRequestHandler('tools/call', (request, context) => this.tools.call(caller(context), request.params, context));
    server.setRequestHandler('resources/list', (_request, context) => this.resources.list(caller(context)));
    server.setRequestHandler('resources/templates/list', () => this.resources.templates());
    server.setRequestHandler('resources/read', (request, context) => this.resources.read(caller(context), request.params.uri));
    // Nothing of ours changes under a reader yet: a subscription is accepted and there is never an update to send.
    server.setRequestHandler('resources/subscribe', () => ({}));
    server.setRequestHandler('resources/unsubscribe', () => ({}));
    server.setRequestHandler('prompts/list', (_request, context) => this.prompts.list(caller(context)));
    server.setRequestHandler('prompts/get', (request, context) => this.prompts.get(caller(context), request.params.name, request.params.arguments ?? {}));
    server.setRequestHandler('completion/complete', (request) => {
      const { ref, argument } = request.params;
      return ref.type === 'ref/prompt' ? this.prompts.complete(ref.name, argument.name, argument.value) : { completion: { values: [], total: 0, hasMore: false } };
    });
    return server;
  }
}
