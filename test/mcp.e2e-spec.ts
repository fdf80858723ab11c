import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { LegacySessions } from '@app/mcp';
import { BuiltinToolHandler } from '@app/tools';
import { ANONYMOUS_USER_ID } from '@app/users';
import { useListeningApp } from './support/listening-app.js';
import { resetMcpState } from './support/mcp-state.js';
import { resetState } from './support/test-app.js';
import { useRegisteredUpstream } from './support/upstream-mcp-server.js';
import { bearer, createUser, type TestUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

const MODERN = '2026-07-28';
const UPSTREAM_TOKEN = 'mcp-e2e-upstream-token-8d1e';
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const ACCEPT_BOTH = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

type Era = 'modern' | 'legacy';

/** A raw 2025-era request on an existing session. */
const ping = (baseUrl: string, key: string, sessionId: string) =>
  fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { ...ACCEPT_BOTH, ...bearer(key), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
  });

/** The official SDK client: pinned to 2026-07-28 (sessionless) or the plain 2025-11-25 handshake (a session). */
async function connect(baseUrl: string, era: Era, key?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'mcp-e2e', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN } } } : {});
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: key ? { headers: bearer(key) } : {} });
  await client.connect(transport);
  return { client, transport };
}

async function invocations(app: NestFastifyApplication): Promise<{ tool_name: string; source: string; status: string; user_id: string }[]> {
  await app.get(HistoryRecorder).flush();
  return app.get(DataSource).query('SELECT tool_name, source, status, user_id FROM tool_invocations ORDER BY created_at');
}

describe('mcp: Streamable HTTP', () => {
  const server = useListeningApp({ MCP_PAGE_SIZE: '2', TOOLS_HTTP_ALLOWLIST: '127.0.0.1', UPSTREAM_SYNC_INTERVAL_SECONDS: '0' });
  const app = server.app;
  let member: TestUser;
  const clients: Client[] = [];
  const open = async (era: Era, key = member.key) => {
    const connection = await connect(server.url(), era, key);
    clients.push(connection.client);
    return connection;
  };

  beforeEach(async () => {
    member = await resetMcpState(app());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });

  it.each<Era>(['modern', 'legacy'])('%s: lists the registry a page at a time and runs the calculator through the one path', async (era) => {
    const { client, transport } = await open(era);
    if (era === 'modern') expect(transport.sessionId).toBeUndefined();
    else expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // listTools() without a cursor walks every page itself; a raw tools/list shows the server's first page.
    const first = await client.request({ method: 'tools/list', params: {} });
    expect(first.tools).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const names = first.tools.map((tool) => tool.name);
    for (let cursor = first.nextCursor; cursor; ) {
      const page = await client.listTools({ cursor });
      expect(page.tools.length).toBeLessThanOrEqual(2);
      names.push(...page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
    }
    expect(names).toEqual([...names].sort());
    expect(names).toContain('calculator');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(names);

    const result = await client.callTool({ name: 'calculator', arguments: { expression: '2 * (3 + 4)' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ value: 14, text: '14' });
    expect(result.content).toEqual([{ type: 'text', text: JSON.stringify({ value: 14, text: '14' }) }]);
    expect(await invocations(app())).toEqual([{ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: member.id }]);
  });

  it.each<Era>(['modern', 'legacy'])('%s: arguments that break the schema are an error result naming each pointer; an unknown tool is a protocol error', async (era) => {
    const { client } = await open(era);
    const result = await client.callTool({ name: 'calculator', arguments: { expr: 1 } });
    expect(result.isError).toBe(true);
    const text = (result.content as { text: string }[])[0].text;
    expect(text).toContain('TOOL_INPUT_INVALID');
    expect(text).toContain('/expression: /expression is required');
    expect(text).toContain('/expr: /expr is not allowed');
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    expect(await invocations(app())).toEqual([]);
  });

  describe('with a slow upstream tool', () => {
    useRegisteredUpstream(app, UPSTREAM_TOKEN);

    it.each<Era>(['modern', 'legacy'])('%s: sends progress notifications when the client asks for them', async (era) => {
      const { client } = await open(era);
      const progress: number[] = [];
      const result = await client.callTool({ name: 'up.slow', arguments: { steps: 3 } }, { onprogress: (update) => progress.push(update.progress) });
      expect(result.content).toEqual([{ type: 'text', text: 'counted 3' }]);
      expect(progress).toEqual([1, 2, 3]);
    });

    it.each<Era>(['modern', 'legacy'])('%s: a cancelled call stops the tool and is recorded as cancelled', async (era) => {
      const { client } = await open(era);
      const controller = new AbortController();
      const call = client.callTool({ name: 'up.slow', arguments: { steps: 50 } }, { signal: controller.signal, onprogress: () => controller.abort('changed my mind') });
      await expect(call).rejects.toBeDefined();
      await waitFor(async () => (await invocations(app())).some((row) => row.status === 'cancelled'), 4000);
      expect(await invocations(app())).toEqual([{ tool_name: 'up.slow', source: 'mcp', status: 'cancelled', user_id: member.id }]);
    });
  });

  it('legacy: a session belongs to its opener and DELETE ends it', async () => {
    const { client, transport } = await open('legacy');
    const sessionId = transport.sessionId!;
    const held = app().get(LegacySessions).localServers().length;
    const other = await createUser(app());
    expect((await ping(server.url(), member.key, sessionId)).status).toBe(200);
    expect((await ping(server.url(), other.key, sessionId)).status).toBe(404);

    await transport.terminateSession();
    expect((await ping(server.url(), member.key, sessionId)).status).toBe(404);
    await client.close();
    expect(app().get(LegacySessions).localServers()).toHaveLength(held - 1);
  });

  it.each(['2025-03-26', '2025-06-18', '2025-11-25'])('legacy: a %s client gets a session speaking its version', async (version) => {
    const response = await fetch(`${server.url()}/mcp`, {
      method: 'POST',
      headers: { ...ACCEPT_BOTH, ...bearer(member.key) },
      body: JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: version } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    // The answer comes as JSON or as one SSE event, as the transport chooses; the result is the same.
    const message = JSON.parse(response.headers.get('content-type')?.startsWith('text/event-stream') ? /^data: (.+)$/m.exec(text)![1] : text);
    expect(message.result).toMatchObject({ protocolVersion: version, serverInfo: { name: 'mcp-assistant' }, capabilities: { tools: {} } });
  });

  it('refuses callers without a valid key with 401 naming the protected-resource metadata', async () => {
    for (const headers of [{}, bearer('not-a-key')]) {
      const response = await fetch(`${server.url()}/mcp`, { method: 'POST', headers: { ...ACCEPT_BOTH, ...headers }, body: JSON.stringify(INITIALIZE) });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${server.url()}/.well-known/oauth-protected-resource"`);
    }
    const metadata = await fetch(`${server.url()}/.well-known/oauth-protected-resource`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: `${server.url()}/mcp`, bearer_methods_supported: ['header'] });
    await expect(connect(server.url(), 'legacy')).rejects.toBeDefined();
  });

  it('refuses a Host or Origin that is not allowed (DNS rebinding) with 403, before authentication', async () => {
    const post = (headers: Record<string, string>) =>
      app().inject({ method: 'POST', url: '/mcp', headers: { ...ACCEPT_BOTH, ...bearer(member.key), ...headers }, payload: INITIALIZE });
    const evilHost = await post({ host: 'evil.example' });
    expect(evilHost.statusCode).toBe(403);
    expect(evilHost.json()).toMatchObject({ code: 'MCP_ORIGIN_REFUSED' });
    expect((await post({ host: 'localhost:8000', origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await app().inject({ method: 'POST', url: '/mcp', headers: { ...ACCEPT_BOTH, host: 'evil.example' }, payload: INITIALIZE })).statusCode).toBe(403);
    expect((await post({ host: 'localhost:8000', origin: 'http://localhost:6274' })).statusCode).toBe(200);
  });

  it('serves the caller’s conversations as markdown resources', async () => {
    const created = await app().inject({ method: 'POST', url: '/conversations', headers: bearer(member.key), payload: { title: 'Trip planning' } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    const { client } = await open('modern');
    const { resources } = await client.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ uri: `history://conversations/${id}`, name: 'Trip planning', mimeType: 'text/markdown' }));
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('history://conversations/{id}');
    const read = await client.readResource({ uri: `history://conversations/${id}` });
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: expect.stringContaining('# Trip planning') });

    const { client: stranger } = await open('modern', (await createUser(app())).key);
    await expect(stranger.readResource({ uri: `history://conversations/${id}` })).rejects.toBeDefined();
  });
});

describe('mcp: idle sessions', () => {
  const server = useListeningApp({ MCP_SESSION_IDLE_SECONDS: '1' });
  let member: TestUser;
  beforeAll(async () => {
    await resetState(server.app());
    await server.app().get(BuiltinToolHandler).onApplicationBootstrap();
    member = await createUser(server.app());
  });

  it('legacy: a session unused for the idle timeout ends, in memory and in the store', async () => {
    const { client, transport } = await connect(server.url(), 'legacy', member.key);
    const sessionId = transport.sessionId!;
    await client.close();
    const sessions = server.app().get(LegacySessions);
    await waitFor(async () => sessions.localServers().length === 0, 3000);
    expect((await ping(server.url(), member.key, sessionId)).status).toBe(404);
  });

  it('legacy: a session whose client keeps a stream open outlives the idle timeout', async () => {
    const { client, transport } = await connect(server.url(), 'legacy', member.key);
    const stream = new AbortController();
    const get = await fetch(`${server.url()}/mcp`, {
      headers: { accept: 'text/event-stream', ...bearer(member.key), 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-11-25' },
      signal: stream.signal,
    }).catch(() => undefined);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await client.callTool({ name: 'calculator', arguments: { expression: '1 + 1' } })).structuredContent).toEqual({ value: 2, text: '2' });
    } finally {
      stream.abort();
      await get?.body?.cancel().catch(() => undefined);
      await client.close();
    }
  });
});

describe('mcp: rate limits', () => {
  // Creating the two users below spends the built-in admin's four.
  const server = useListeningApp({ RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_SECONDS: '60' });

  it('spends the key’s budget, shared with REST, and answers 429 once it is spent', async () => {
    await resetState(server.app());
    const [ada, bob] = [await createUser(server.app()), await createUser(server.app())];
    const initialize = (key: string) => fetch(`${server.url()}/mcp`, { method: 'POST', headers: { ...ACCEPT_BOTH, ...bearer(key) }, body: JSON.stringify(INITIALIZE) });
    expect((await server.app().inject({ method: 'GET', url: '/users/me', headers: bearer(ada.key) })).statusCode).toBe(200);
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await initialize(ada.key));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    const limited = responses[3];
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await initialize(bob.key)).status).toBe(200);
  });
});

describe('mcp: anonymous access', () => {
  const server = useListeningApp({ MCP_ALLOW_ANONYMOUS: 'true' });

  it.each<Era>(['modern', 'legacy'])('%s: lets callers without a key in as the anonymous member, recorded as that user', async (era) => {
    const { client } = await connect(server.url(), era);
    try {
      const result = await client.callTool({ name: 'calculator', arguments: { expression: '6 * 7' } });
      expect(result.structuredContent).toEqual({ value: 42, text: '42' });
    } finally {
      await client.close();
    }
    const rows = await invocations(server.app());
    expect(rows.at(-1)).toEqual({ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: ANONYMOUS_USER_ID });
    // A key that is presented must still be a valid one.
    await expect(connect(server.url(), era, 'not-a-key')).rejects.toBeDefined();
  });
});
