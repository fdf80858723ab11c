import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, fromJsonSchema, McpServer, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_KEY, bearer } from './users.js';

type Registrar = (server: McpServer) => void;

export const LONG_NAME = 'x'.repeat(62);

/** The tools the test upstream can offer; each test picks which are listed at a time. */
const TOOLS: Record<string, Registrar> = {
  add: (server) =>
    server.registerTool(
      'add',
      {
        title: 'Add',
        description: 'Adds two numbers',
        inputSchema: fromJsonSchema<{ a: number; b: number }>({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] }),
        outputSchema: fromJsonSchema<{ sum: number }>({ type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] }),
        annotations: { readOnlyHint: true, idempotentHint: true },
      },
      async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
    ),
  slow: (server) =>
    server.registerTool(
      'slow',
      { description: 'Counts steps of 100 ms, reporting progress', inputSchema: fromJsonSchema<{ steps?: number }>({ type: 'object', properties: { steps: { type: 'integer', minimum: 1, maximum: 50 } } }) },
      async ({ steps = 3 }, ctx) => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        for (let step = 1; step <= steps; step++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          if (progressToken !== undefined) {
            await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps, message: `step ${step}` } });
          }
        }
        return { content: [{ type: 'text', text: `counted ${steps}` }] };
      },
    ),
  fail: (server) =>
    server.registerTool('fail', { description: 'Always fails' }, async () => ({ isError: true, content: [{ type: 'text', text: 'the remote tool failed on purpose' }] })),
  extra: (server) => server.registerTool('extra', { description: 'Appears later' }, async () => ({ content: [{ type: 'text', text: 'extra' }] })),
  // Fine on the upstream, but too long for a registry name once prefixed with the upstream's.
  [LONG_NAME]: (server) => server.registerTool(LONG_NAME, { description: 'A name too long to import' }, async () => ({ content: [] })),
};

/**
 * A real MCP server (official SDK, both protocol eras) on loopback and an ephemeral port, that answers only requests
 * carrying its bearer token. Its tool list can change between syncs; `stop` makes it vanish.
 */
export class UpstreamMcpServer {
  readonly listed = new Set(['add', 'slow', 'fail', LONG_NAME]);
  /** The Authorization header values it saw. */
  readonly seenAuthorizations = new Set<string>();
  private readonly http: Server;
  private readonly mcp: McpHttpHandler;
  url = '';

  constructor(readonly token: string) {
    this.mcp = createMcpHandler(() => this.build());
    const handler = toNodeHandler(this.mcp);
    this.http = createServer((req, res) => {
      const authorization = req.headers.authorization ?? '';
      this.seenAuthorizations.add(authorization);
      if (authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      void handler(req, res);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/mcp`;
    return this.url;
  }

  /** Gone: listener closed and every open connection cut. */
  async stop(): Promise<void> {
    await this.mcp.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => (this.http.listening ? this.http.close(() => resolve()) : resolve()));
  }

  private build(): McpServer {
    const server = new McpServer({ name: 'test-upstream', version: '1.0.0' });
    for (const name of this.listed) TOOLS[name](server);
    return server;
  }
}

/**
 * For a describe block: a test upstream registered as `up` with the app before each test (its tools are `up.<name>`),
 * stopped after it.
 */
export function useRegisteredUpstream(app: () => NestFastifyApplication, token: string): () => UpstreamMcpServer {
  let upstream: UpstreamMcpServer;
  beforeEach(async () => {
    upstream = new UpstreamMcpServer(token);
    await upstream.start();
    const created = await app().inject({ method: 'POST', url: '/upstreams', headers: bearer(ADMIN_KEY), payload: { name: 'up', url: upstream.url, headers: { Authorization: `Bearer ${token}` } } });
    expect(created.statusCode).toBe(201);
  });
  afterEach(async () => {
    await upstream.stop();
  });
  return () => upstream;
}
