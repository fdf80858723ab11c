import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { LegacySessions } from '@app/mcp';
import { resetMcpState } from './support/mcp-state.js';
import { createTestApp, onPostgres } from './support/test-app.js';
import { useRegisteredUpstream } from './support/upstream-mcp-server.js';
import { ADMIN_KEY, bearer, createUser, type TestUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

const MODERN = '2026-07-28';
const UPSTREAM_TOKEN = 'mcp-instances-upstream-token-51c2';

interface Instance {
  app: NestFastifyApplication;
  url: string;
}

async function startInstance(): Promise<Instance> {
  const app = await createTestApp({
    env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', MCP_CONFORMANCE_FIXTURES: 'true', TOOLS_HTTP_ALLOWLIST: '127.0.0.1', UPSTREAM_SYNC_INTERVAL_SECONDS: '0' },
  });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

/**
 * A load balancer without stickiness, as the client sees it: each HTTP request the client makes goes to the next
 * instance in turn, so consecutive requests of one session always land on different instances.
 */
function alternating(instances: Instance[]) {
  let next = 0;
  const served: number[] = [];
  const fetchNext = (input: string | URL | Request, init?: RequestInit) => {
    const index = next++ % instances.length;
    served.push(index);
    const target = new URL(input instanceof Request ? input.url : input);
    const { host } = new URL(instances[index].url);
    target.host = host;
    return fetch(target, init);
  };
  return { fetch: fetchNext, served };
}

async function invocations(app: NestFastifyApplication): Promise<{ tool_name: string; status: string; user_id: string }[]> {
  await app.get(HistoryRecorder).flush();
  return app.get(DataSource).query('SELECT tool_name, status, user_id FROM tool_invocations ORDER BY created_at');
}

// Two instances share state only through Postgres and Redis; the embedded mode is one instance by definition.
(onPostgres ? describe : describe.skip)('mcp: two instances behind a load balancer without stickiness', () => {
  let a: Instance;
  let b: Instance;
  let member: TestUser;
  const clients: Client[] = [];

  async function connect(fetchLike: typeof fetch | ReturnType<typeof alternating>['fetch'], options: ConstructorParameters<typeof Client>[1] = {}) {
    const client = new Client({ name: 'mcp-instances-e2e', version: '1.0.0' }, { capabilities: { sampling: {} }, ...options });
    const transport = new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), { fetch: fetchLike as typeof fetch, requestInit: { headers: bearer(member.key) } });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }
  const toB = (input: string | URL | Request, init?: RequestInit) => {
    const target = new URL(input instanceof Request ? input.url : input);
    target.host = new URL(b.url).host;
    return fetch(target, init);
  };

  beforeAll(async () => {
    a = await startInstance();
    b = await startInstance();
  });
  afterAll(async () => {
    await Promise.all([a?.app.close(), b?.app.close()]);
  });
  beforeEach(async () => {
    await b.app.get(LegacySessions).closeIdle(Number.MAX_SAFE_INTEGER);
    member = await resetMcpState(a.app);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });

  it('serves a 2025-era session opened on A on B, and a DELETE on either ends it on both', async () => {
    const balancer = alternating([a, b]);
    const { client, transport } = await connect(balancer.fetch);
    const sessionId = transport.sessionId!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'calculator', arguments: { expression: `${i} + 1` } });
      expect(result.structuredContent).toEqual({ value: i + 1, text: String(i + 1) });
    }
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('calculator');
    expect(new Set(balancer.served)).toEqual(new Set([0, 1]));
    expect(transport.sessionId).toBe(sessionId);
    for (const { app } of [a, b]) expect(app.get(LegacySessions).localServers()).toHaveLength(1);
    const rows = [...(await invocations(a.app)), ...(await invocations(b.app))].filter((row) => row.tool_name === 'calculator');
    // Both instances write to the one database: each sees all four calls.
    expect(rows.slice(0, 4)).toEqual(Array(4).fill({ tool_name: 'calculator', status: 'ok', user_id: member.id }));

    const stranger = await createUser(b.app);
    const ping = (instance: Instance, key: string) =>
      fetch(`${instance.url}/mcp`, {
        method: 'POST',
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...bearer(key), 'mcp-session-id': sessionId },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
      });
    expect((await ping(b, stranger.key)).status).toBe(404);

    await transport.terminateSession();
    for (const instance of [a, b]) expect((await ping(instance, member.key)).status).toBe(404);
    await waitFor(async () => [a, b].every(({ app }) => app.get(LegacySessions).localServers().length === 0), 2000);
  });

  it('relays the client’s answer to a server request to the instance that asked', async () => {
    const { client } = await connect(alternating([a, b]).fetch);
    const asked: string[] = [];
    client.setRequestHandler('sampling/createMessage', async (request) => {
      const block = request.params.messages[0].content as { text: string };
      asked.push(block.text);
      return { model: 'stand-in', role: 'assistant', content: { type: 'text', text: `echo: ${block.text}` } };
    });
    // Each call's answer is posted to the other instance than the one running the tool and waiting for it.
    for (const prompt of ['first', 'second']) {
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt } });
      expect(result.content).toEqual([{ type: 'text', text: `LLM response: echo: ${prompt}` }]);
    }
    expect(asked).toEqual(['first', 'second']);
  });

  describe('with a slow upstream tool', () => {
    useRegisteredUpstream(() => a.app, UPSTREAM_TOKEN);

    it('stops a call on the instance running it when the cancellation lands on the other', async () => {
      const { client } = await connect(alternating([a, b]).fetch);
      const controller = new AbortController();
      const call = client.callTool({ name: 'up.slow', arguments: { steps: 50 } }, { signal: controller.signal, onprogress: () => controller.abort('changed my mind') });
      await expect(call).rejects.toBeDefined();
      await waitFor(async () => (await invocations(a.app)).some((row) => row.status === 'cancelled'), 4000);
      expect((await invocations(a.app)).filter((row) => row.tool_name === 'up.slow')).toEqual([{ tool_name: 'up.slow', status: 'cancelled', user_id: member.id }]);
    });
  });

  it.each(['legacy', 'modern'])('%s: a client connected to B hears tools/list_changed when a tool is added on A', async (era) => {
    const changes: string[][] = [];
    await connect(toB, {
      ...(era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN } } } : {}),
      listChanged: { tools: { onChanged: (error, tools) => changes.push(error ? [`error: ${error.message}`] : (tools ?? []).map((tool) => tool.name)) } },
    });
    // The client opens its notification stream (GET, or subscriptions/listen) right after connecting; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await a.app.inject({
      method: 'POST',
      url: '/tools',
      headers: bearer(ADMIN_KEY),
      payload: { name: 'added_on_a', description: 'Added on instance A', kind: 'http', inputSchema: { type: 'object' }, config: { url: 'http://127.0.0.1:9/', method: 'GET' } },
    });
    expect(created.statusCode).toBe(201);
    await waitFor(async () => changes.some((names) => names.includes('added_on_a')), 4000);
  });
});
