import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { toNodeHandler, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { classifyInboundRequest, createMcpHandler, type AuthInfo, type McpHttpHandler } from '@modelcontextprotocol/server';
import { ToolRegistry } from '@app/tools';
import type { Principal } from '@app/users';
import { authInfoFor } from '../mcp-principal.js';
import { McpServerFactory } from '../mcp-server.factory.js';
import { DirectToolCalls } from './direct-tool-calls.js';
import { LegacySessions } from './legacy-sessions.service.js';
import { McpServerPool } from './server-pool.js';

/**
 * Streamable HTTP for both protocol generations, as the SDK's legacy-routing pattern does it: requests of the
 * sessionless 2026-07-28 protocol go to the SDK's per-request handler (served by pooled instances), 2025-era ones
 * to our sessions. Plain sessionless `tools/call` requests skip the SDK for the direct path (see DirectToolCalls). A
 * registry change made on any instance reaches both: `subscriptions/listen` streams and the sessions this instance
 * holds get `notifications/tools/list_changed`.
 */
@Injectable()
export class McpHttpTransport implements OnModuleDestroy {
  private readonly logger = new Logger(McpHttpTransport.name);
  private readonly pool: McpServerPool;
  private readonly modern: McpHttpHandler;
  private readonly serveModern: NodeMcpRequestHandler;
  private readonly stopListening: () => void;

  constructor(
    factory: McpServerFactory,
    private readonly sessions: LegacySessions,
    private readonly direct: DirectToolCalls,
    registry: ToolRegistry,
  ) {
    this.pool = new McpServerPool(() => factory.build());
    this.modern = createMcpHandler(() => this.pool.acquire(), { legacy: 'reject', onerror: (error) => this.logger.debug(`MCP: ${error.message}`) });
    this.serveModern = toNodeHandler(this.modern);
    this.stopListening = registry.onChange(() => this.toolsChanged());
  }

  /** Serves one request of an authenticated caller; the response is written here, whatever the outcome. */
  async handle(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, body: unknown, principal: Principal, token: string | undefined): Promise<void> {
    const call = this.direct.modernCall(request.method, request.headers, body);
    if (call) return this.direct.answerModern(call, principal, response);
    request.auth = authInfoFor(principal, token);
    // A plain tools/call naming a 2025 version (or none) is legacy by the SDK's own rules: no need to ask its
    // classifier, which runs three schema parses per request.
    const sessionCall = this.direct.sessionCall(request.method, request.headers, body);
    if (sessionCall || isLegacy(request, body)) return this.sessions.handle(request, response, body, principal, sessionCall);
    return this.serveModern(request, response, body);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopListening();
    await this.modern.close();
  }

  private toolsChanged(): void {
    this.modern.notify.toolsChanged();
    for (const server of this.sessions.localServers()) {
      server.sendToolListChanged().catch((error: Error) => this.logger.debug(`tools/list_changed not sent: ${error.message}`));
    }
  }
}

/**
 * The SDK's own era decision (the classification `isLegacyRequest` runs) on what it reads: method, the three MCP
 * headers and the parsed body. Building a web Request (URL, Headers, AbortSignal) just to hand it those took 3–5 % of
 * a tools/call's CPU in profiles. A POST without a JSON body is legacy, as `isLegacyRequest` has it.
 */
function isLegacy(request: IncomingMessage, body: unknown): boolean {
  const httpMethod = request.method ?? 'GET';
  if (httpMethod.toUpperCase() === 'POST' && body === undefined) return true;
  const outcome = classifyInboundRequest({
    httpMethod,
    protocolVersionHeader: header(request, 'mcp-protocol-version'),
    mcpMethodHeader: header(request, 'mcp-method'),
    mcpNameHeader: header(request, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}

/** A header as the web Headers.get reads it: repeated values joined by ", ". */
function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
