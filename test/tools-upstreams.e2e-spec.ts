import net from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '@app/core';
import { HistoryRecorder } from '@app/history';
import { ToolExecutor, type ToolProgress } from '@app/tools';
import type { Principal } from '@app/users';
import { useTestApp } from './support/test-app.js';
import { LONG_NAME, UpstreamMcpServer } from './support/upstream-mcp-server.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function body(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.json();
}

const TOKEN = 'upstream-token-5f2c9a7e41d0b3';

/** Every line the app logs from here on, down to debug, kept instead of printed. */
function captureLogs(app: () => NestFastifyApplication): string[] {
  const lines: string[] = [];
  beforeAll(() => {
    const logger = app().get<pino.Logger>(ROOT_LOGGER);
    (logger as unknown as Record<symbol, { write: (line: string) => boolean }>)[pino.symbols.streamSym].write = (line: string) => lines.push(line) > 0;
    logger.level = 'debug';
  });
  return lines;
}

describe('tools: upstream MCP servers', () => {
  const app = useTestApp({
    reset: true,
    // The test's MCP servers listen on loopback, which the outbound guard refuses unless allow-listed.
    env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', UPSTREAM_SYNC_INTERVAL_SECONDS: '0', UPSTREAM_CONNECT_TIMEOUT_MS: '1000', TOOLS_HTTP_ALLOWLIST: '127.0.0.1' },
  });
  const logs = captureLogs(app);
  let upstream: UpstreamMcpServer;

  beforeEach(async () => {
    upstream = new UpstreamMcpServer(TOKEN);
    await upstream.start();
  });
  afterEach(async () => {
    await upstream.stop();
  });

  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, key = ADMIN_KEY) =>
    app().inject({ method, url, headers: bearer(key), ...(payload && { payload }) });
  const register = async (name = 'demo') => body(await inject('POST', '/upstreams', { name, url: upstream.url, headers: { Authorization: `Bearer ${TOKEN}` } }), 201);
  const invoke = (name: string, args: object) => inject('POST', `/tools/${name}/invoke`, { arguments: args });
  const sync = (id: string) => inject('POST', `/upstreams/${id}/sync`);

  it('registers an upstream, imports its tools as <upstream>.<tool> and runs them through the one execution path', async () => {
    const created = await register();
    expect(created).toMatchObject({ name: 'demo', url: upstream.url, headerNames: ['Authorization'], enabled: true, status: 'ok' });
    expect(created).not.toHaveProperty('headers');
    expect(created.lastSyncAt).not.toBeNull();
    // The remote tool whose name can't be a tool name is skipped, and said so.
    expect(created.lastError).toBe(`skipped 1 remote tool(s): ${LONG_NAME} (demo.${LONG_NAME} is not a valid tool name (1 to 64 letters, digits, "_", "." or "-"))`);
    expect(upstream.seenAuthorizations).toEqual(new Set([`Bearer ${TOKEN}`]));

    const tools = body(await inject('GET', '/tools?kind=mcp'), 200).items;
    expect(tools.map((tool: { name: string }) => tool.name)).toEqual(['demo.add', 'demo.fail', 'demo.slow']);
    expect(tools[0]).toMatchObject({
      kind: 'mcp',
      title: 'Add',
      description: 'Adds two numbers',
      enabled: true,
      version: 1,
      inputSchema: { type: 'object', required: ['a', 'b'] },
      outputSchema: { type: 'object', required: ['sum'] },
      annotations: { readOnlyHint: true, idempotentHint: true },
    });

    const added = body(await invoke('demo.add', { a: 2, b: 3 }), 200);
    expect(added).toMatchObject({ result: { sum: 5 }, isError: false });
    const failed = body(await invoke('demo.fail', {}), 200);
    expect(failed).toMatchObject({ isError: true, result: { code: 'UPSTREAM_TOOL_ERROR', error: 'demo.fail failed: the remote tool failed on purpose' } });
    expect(body(await invoke('demo.slow', { steps: 1 }), 200).result).toEqual({ content: [{ type: 'text', text: 'counted 1' }] });
    // Arguments are checked against the imported schema before the upstream sees them.
    expect(body(await invoke('demo.add', { a: 'two' }), 400).code).toBe('TOOL_INPUT_INVALID');

    await app().get(HistoryRecorder).flush();
    const recorded = await app().get(DataSource).query(`SELECT id, tool_name, status, result, error_code FROM tool_invocations ORDER BY created_at`);
    expect(recorded).toEqual([
      expect.objectContaining({ id: added.invocationId, tool_name: 'demo.add', status: 'ok', result: { sum: 5 } }),
      expect.objectContaining({ id: failed.invocationId, tool_name: 'demo.fail', status: 'error', error_code: 'UPSTREAM_TOOL_ERROR' }),
      expect.objectContaining({ tool_name: 'demo.slow', status: 'ok' }),
    ]);
  });

  it('forwards the upstream progress notifications to the caller', async () => {
    await register();
    const member = await createUser(app());
    const principal: Principal = {
      userId: member.id,
      role: 'member',
      keyId: member.keyId,
      scopes: ['*'],
      user: { id: member.id, email: member.email, name: 'member', role: 'member', status: 'active', createdAt: '', updatedAt: '' },
    };
    const progress: ToolProgress[] = [];
    const call = await app().get(ToolExecutor).execute(principal, 'demo.slow', { steps: 3 }, { source: 'rest', onProgress: (step) => progress.push(step) });
    expect(call).toMatchObject({ isError: false, result: { content: [{ type: 'text', text: 'counted 3' }] } });
    expect(progress).toEqual([1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step}` })));
  });

  it('keeps header values encrypted at rest and out of every answer and log line', async () => {
    const created = await register();
    const [row] = await app().get(DataSource).query(`SELECT headers FROM upstream_servers WHERE id = $1`, [created.id]);
    expect(Object.keys(row.headers)).toEqual(['Authorization']);
    expect(row.headers.Authorization).toMatch(/^enc:v1:/);
    expect(JSON.stringify(row)).not.toContain(TOKEN);

    body(await inject('PATCH', `/upstreams/${created.id}`, { headers: { Authorization: `Bearer ${TOKEN}`, 'X-Tenant': 'acme' } }), 200);
    const answers = [
      await inject('GET', `/upstreams/${created.id}`),
      await inject('GET', '/upstreams'),
      await sync(created.id),
      await inject('GET', '/audit?action=upstream.*'),
      await inject('GET', '/tools/demo.add'),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain(TOKEN);
    }
    expect(answers[0].json().headerNames).toEqual(['Authorization', 'X-Tenant']);
    const audit = answers[3].json().items;
    expect(audit.map((event: { action: string }) => event.action).sort()).toEqual(['upstream.created', 'upstream.synced', 'upstream.updated']);
    expect(audit.find((event: { action: string }) => event.action === 'upstream.updated').details.changes).toEqual({ headers: { from: ['Authorization'], to: ['Authorization', 'X-Tenant'] } });

    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes(TOKEN))).toEqual([]);
  });

  it('disables a tool the upstream stopped listing and enables it again when it returns, bumping versions only on change', async () => {
    const { id } = await register();
    expect(body(await sync(id), 200)).toMatchObject({ added: [], updated: [], disabled: [], enabled: [] });
    expect(body(await inject('GET', '/tools/demo.slow'), 200).version).toBe(1);

    upstream.listed.delete('slow');
    upstream.listed.add('extra');
    expect(body(await sync(id), 200)).toMatchObject({ added: ['demo.extra'], disabled: ['demo.slow'], enabled: [], updated: [] });
    expect(body(await inject('GET', '/tools/demo.slow'), 200)).toMatchObject({ enabled: false, version: 2 });
    expect(body(await invoke('demo.slow', {}), 409).code).toBe('TOOL_DISABLED');

    upstream.listed.add('slow');
    expect(body(await sync(id), 200)).toMatchObject({ added: [], disabled: [], enabled: ['demo.slow'] });
    expect(body(await inject('GET', '/tools/demo.slow'), 200)).toMatchObject({ enabled: true, version: 3 });

    // An upstream disabled by an admin takes its tools with it, and brings them back.
    body(await inject('PATCH', `/upstreams/${id}`, { enabled: false }), 200);
    expect(body(await inject('GET', '/tools?kind=mcp&enabled=true'), 200).items).toEqual([]);
    expect(body(await sync(id), 409).code).toBe('UPSTREAM_DISABLED');
    body(await inject('PATCH', `/upstreams/${id}`, { enabled: true }), 200);
    expect(body(await inject('GET', '/tools?kind=mcp&enabled=true'), 200).items).toHaveLength(4);
  });

  it('answers 502 within the tool timeout once the upstream is gone, and records it on the upstream', async () => {
    const { id } = await register();
    body(await inject('PATCH', '/tools/demo.add', { timeoutMs: 3000 }), 200);
    body(await invoke('demo.add', { a: 1, b: 1 }), 200);

    await upstream.stop();
    const started = Date.now();
    const problem = body(await invoke('demo.add', { a: 1, b: 1 }), 502);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(problem).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', title: 'Upstream MCP server unavailable' });
    expect(problem.detail).toMatch(/^demo\.add: the upstream MCP server demo is unavailable: /);
    // Every call that ran is in the history, the failed one too.
    await app().get(HistoryRecorder).flush();
    const [recorded] = body(await inject('GET', '/tools/demo.add/invocations'), 200).items;
    expect(recorded).toMatchObject({ status: 'error', errorCode: 'UPSTREAM_UNAVAILABLE', arguments: { a: 1, b: 1 } });

    const marked = body(await inject('GET', `/upstreams/${id}`), 200);
    expect(marked.status).toBe('error');
    expect(marked.lastError).toBeTruthy();
    expect(body(await sync(id), 502).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('refuses upstreams on metadata addresses, and on private ones unless allow-listed, through the outbound guard', async () => {
    const metadata = body(await inject('POST', '/upstreams', { name: 'metadata', url: 'http://169.254.169.254/mcp' }), 201);
    expect(metadata).toMatchObject({ status: 'error' });
    expect(metadata.lastError).toMatch(/169\.254\.169\.254/);
    const local = body(await inject('POST', '/upstreams', { name: 'local', url: upstream.url.replace('127.0.0.1', 'localhost') }), 201);
    expect(local).toMatchObject({ status: 'error' });
    expect(local.lastError).toMatch(/localhost/);
    expect(body(await inject('GET', '/tools?kind=mcp'), 200).items).toEqual([]);
  });

  it('never hangs on an upstream that accepts connections and says nothing', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/mcp`;
      const created = body(await inject('POST', '/upstreams', { name: 'silent', url }), 201);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(created).toMatchObject({ status: 'error', lastSyncAt: null });
      expect(created.lastError).toMatch(/tim/i);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('deletes an upstream with its tools', async () => {
    const { id } = await register();
    await inject('DELETE', `/upstreams/${id}`).then((response) => expect(response.statusCode).toBe(204));
    expect(body(await inject('GET', '/tools?kind=mcp'), 200).items).toEqual([]);
    expect(body(await invoke('demo.add', { a: 1, b: 1 }), 404).code).toBe('TOOL_NOT_FOUND');
    expect(body(await inject('GET', `/upstreams/${id}`), 404).code).toBe('UPSTREAM_NOT_FOUND');
    const [deleted] = body(await inject('GET', '/audit?action=upstream.deleted'), 200).items;
    expect(deleted.details).toMatchObject({ name: 'demo', tools: ['demo.add', 'demo.fail', 'demo.slow'] });
  });

  it('lets only admins manage upstreams, pages them, and names each bad field', async () => {
    const member = await createUser(app());
    expect(body(await inject('GET', '/upstreams', undefined, member.key), 403).code).toBe('ROLE_REQUIRED');
    expect(body(await inject('POST', '/upstreams', { name: 'x', url: upstream.url }, member.key), 403).code).toBe('ROLE_REQUIRED');
    const reader = await createUser(app(), { role: 'admin', scopes: ['tools:read'] });
    body(await inject('GET', '/upstreams', undefined, reader.key), 200);
    expect(body(await inject('POST', '/upstreams', { name: 'x', url: upstream.url }, reader.key), 403).code).toBe('SCOPE_REQUIRED');

    const pointers = async (payload: object, method: 'POST' | 'PATCH' = 'POST', url = '/upstreams') =>
      body(await inject(method, url, payload), 400).errors.map((error: { pointer: string }) => error.pointer).sort();
    expect(await pointers({ name: 'a.b', url: upstream.url })).toEqual(['/name']);
    expect(await pointers({ name: 'ok', url: 'ftp://example.com/mcp' })).toEqual(['/url']);
    expect(await pointers({ name: 'ok', url: 'http://user:secret@example.com/mcp' })).toEqual(['/url']);
    expect(await pointers({ name: 'ok', url: upstream.url, headers: { Host: 'evil' } })).toEqual(['/headers']);
    expect(await pointers({ name: 'ok', url: upstream.url, headers: { 'X-Bad': 7 } })).toEqual(['/headers']);
    expect(await pointers({ name: 'ok', url: upstream.url, extra: true })).toEqual(['/extra']);

    const { id } = await register('first');
    await register('second');
    expect(await pointers({ name: 'renamed' }, 'PATCH', `/upstreams/${id}`)).toEqual(['/name']);
    expect(body(await inject('POST', '/upstreams', { name: 'first', url: upstream.url }), 409).code).toBe('UPSTREAM_NAME_TAKEN');
    expect(body(await inject('GET', '/upstreams/not-a-uuid'), 400).errors[0].pointer).toBe('/id');

    const page = body(await inject('GET', '/upstreams?limit=1'), 200);
    expect(page.items.map((item: { name: string }) => item.name)).toEqual(['second']);
    const next = body(await inject('GET', `/upstreams?limit=1&cursor=${page.nextCursor}`), 200);
    expect(next).toMatchObject({ items: [{ name: 'first' }], nextCursor: null });
  });
});

describe('tools: upstream MCP servers, synced on an interval', () => {
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', UPSTREAM_SYNC_INTERVAL_SECONDS: '1', TOOLS_HTTP_ALLOWLIST: '127.0.0.1' } });

  it('picks up a tool the upstream added, as the system', async () => {
    const upstream = new UpstreamMcpServer(TOKEN);
    await upstream.start();
    try {
      const payload = { name: 'timed', url: upstream.url, headers: { Authorization: `Bearer ${TOKEN}` } };
      body(await app().inject({ method: 'POST', url: '/upstreams', headers: bearer(ADMIN_KEY), payload }), 201);
      upstream.listed.add('extra');
      await waitFor(async () => (await app().inject({ method: 'GET', url: '/tools/timed.extra', headers: bearer(ADMIN_KEY) })).statusCode === 200, 5000);
      const events = body(await app().inject({ method: 'GET', url: '/audit?action=upstream.synced', headers: bearer(ADMIN_KEY) }), 200).items;
      expect(events.find((event: { details: { added: string[] } }) => event.details.added.includes('timed.extra'))).toMatchObject({ actorId: null });
    } finally {
      await upstream.stop();
    }
  });
});
