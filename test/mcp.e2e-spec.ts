import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { LegacySessions } from '@app/mcp';
import { BuiltinToolHandler } from '@app/tools';
import { ANONYMOUS_USER_ID } from '@app/users';
import { useListeningApp } from './support/listening-app.js';
import { resetState } from './support/test-app.js';
import { UpstreamMcpServer } from './support/upstream-mcp-server.js';
import { ADMIN_KEY, bearer, createUser, type TestUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

const MODERN = '2026-07-28';
const UPSTREAM_TOKEN = 'mcp-e2e-upstream-token-8d1e';
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const ACCEPT_BOTH = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

type Era = 'modern' | 'legacy';

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
    // Each test starts with no session and no invocation of an earlier one still buffered.
    await app().get(LegacySessions).closeIdle(Number.MAX_SAFE_INTEGER);
    await app().get(HistoryRecorder).flush();
    await resetState(app());
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
    member = await createUser(app());
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
    let upstream: UpstreamMcpServer;
    beforeEach(async () => {
      upstream = new UpstreamMcpServer(UPSTREAM_TOKEN);
      await upstream.start();
      const created = await app().inject({ method: 'POST', url: '/upstreams', headers: bearer(ADMIN_KEY), payload: { name: 'up', url: upstream.url, headers: { Authorization: `Bearer ${UPSTREAM_TOKEN}` } } });
      expect(created.statusCode).toBe(201);
    });
    afterEach(async () => {
      await upstream.stop();
    });

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

  it('legacy: a session belongs to its opener, DELETE ends it, and an idle one is closed', async () => {
    const { client, transport } = await open('legacy');
    const sessionId = transport.sessionId!;
    const other = await createUser(app());
    const ping = (key: string, id: string) =>
      fetch(`${server.url()}/mcp`, {
        method: 'POST',
        headers: { ...ACCEPT_BOTH, ...bearer(key), 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
      });
    expect((await ping(member.key, sessionId)).status).toBe(200);
    expect((await ping(other.key, sessionId)).status).toBe(404);

    await transport.terminateSession();
    expect((await ping(member.key, sessionId)).status).toBe(404);
    await client.close();

    const idle = await open('legacy');
    await idle.client.ping();
    const sessions = app().get(LegacySessions);
    expect(await sessions.closeIdle(Date.now())).toBe(0);
    // Gone without a DELETE: once its streams are closed the session counts as idle.
    await idle.client.close();
    await waitFor(async () => {
      await sessions.closeIdle(Date.now() + 24 * 3600_000);
      return (await ping(member.key, idle.transport.sessionId!)).status === 404;
    });
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
