import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { BuiltinToolHandler, ToolCallObservers, type ToolCallEvent } from '@app/tools';
import { createTestApp, onPostgres, resetState, useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function body(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.json();
}

describe('tools: registry and the one execution path', () => {
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' } });
  const invoke = (name: string, args: unknown, key = ADMIN_KEY) =>
    app().inject({ method: 'POST', url: `/tools/${name}/invoke`, headers: bearer(key), payload: { arguments: args } });

  beforeEach(async () => {
    // resetState empties the registry; built-ins come back as they do at every boot.
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  it('lists the built-in tools with their schemas and annotations', async () => {
    const member = await createUser(app());
    const page = body(await app().inject({ method: 'GET', url: '/tools', headers: bearer(member.key) }), 200);
    const calculator = page.items.find((tool: { name: string }) => tool.name === 'calculator');
    expect(calculator).toMatchObject({ kind: 'builtin', enabled: true, annotations: { readOnlyHint: true, idempotentHint: true } });
    expect(calculator.inputSchema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', required: ['expression'], additionalProperties: false });
    expect(calculator).not.toHaveProperty('config');
    expect(body(await app().inject({ method: 'GET', url: '/tools/calculator', headers: bearer(member.key) }), 200).name).toBe('calculator');
    body(await app().inject({ method: 'GET', url: '/tools/nope', headers: bearer(member.key) }), 404);
  });

  it('runs the calculator and records every call that ran', async () => {
    const member = await createUser(app());
    const ok = body(await invoke('calculator', { expression: '2 * (3 + 4)' }, member.key), 200);
    expect(ok).toMatchObject({ result: { value: 14, text: '14' }, isError: false, cached: false });
    const units = body(await invoke('calculator', { expression: '5 cm to inch' }, member.key), 200);
    expect(units.result.text).toMatch(/^1\.9685\d* inch$/);
    const failed = body(await invoke('calculator', { expression: 'import({})' }, member.key), 200);
    expect(failed).toMatchObject({ isError: true, result: { code: 'EXPRESSION_INVALID' } });
    expect(body(await invoke('calculator', { expression: '1/0' }, member.key), 200).isError).toBe(true);

    await app().get(HistoryRecorder).flush();
    const recorded = body(await app().inject({ method: 'GET', url: '/tool-invocations', headers: bearer(member.key) }), 200).items;
    expect(recorded.map((row: { id: string }) => row.id)).toEqual(expect.arrayContaining([ok.invocationId, failed.invocationId]));
    expect(recorded).toHaveLength(4);
    expect(recorded.find((row: { id: string }) => row.id === ok.invocationId)).toMatchObject({
      toolName: 'calculator',
      source: 'rest',
      status: 'ok',
      arguments: { expression: '2 * (3 + 4)' },
      result: { value: 14 },
    });
    expect(recorded.find((row: { id: string }) => row.id === failed.invocationId)).toMatchObject({ status: 'error', errorCode: 'EXPRESSION_INVALID' });
  });

  it('refuses arguments that break the schema with a pointer per error, and records nothing for them', async () => {
    const problem = body(await invoke('calculator', { expr: 1 }), 400);
    expect(problem.code).toBe('TOOL_INPUT_INVALID');
    expect(problem.errors).toEqual([
      { pointer: '/expression', message: '/expression is required' },
      { pointer: '/expr', message: '/expr is not allowed' },
    ]);
    expect(body(await invoke('calculator', { expression: 42 }), 400).errors[0].pointer).toBe('/expression');
    body(await app().inject({ method: 'POST', url: '/tools/calculator/invoke', headers: bearer(ADMIN_KEY), payload: { arguments: 'x' } }), 400);
    await app().get(HistoryRecorder).flush();
    const [{ count }] = await app().get(DataSource).query('SELECT count(*)::int AS count FROM tool_invocations');
    expect(count).toBe(0);
  });

  it('answers 404 for unknown tools, 409 for disabled ones, 401/403 without the key or scope', async () => {
    const patch = async (payload: unknown) =>
      body(await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: payload as object }), 200);
    expect(body(await invoke('nope', {}), 404).code).toBe('TOOL_NOT_FOUND');
    expect(await patch({ enabled: false })).toMatchObject({ enabled: false, version: 2 });
    expect(body(await invoke('calculator', { expression: '1' }), 409).code).toBe('TOOL_DISABLED');
    await patch({ enabled: true });
    body(await app().inject({ method: 'POST', url: '/tools/calculator/invoke', payload: { arguments: { expression: '1' } } }), 401);
    const readOnly = await createUser(app(), { scopes: ['tools:read'] });
    expect(body(await invoke('calculator', { expression: '1' }, readOnly.key), 403).code).toBe('SCOPE_REQUIRED');
    await patch({ allowedRoles: ['admin'] });
    const member = await createUser(app());
    expect(body(await invoke('calculator', { expression: '1' }, member.key), 404).code).toBe('TOOL_NOT_FOUND');
    const visible = body(await app().inject({ method: 'GET', url: '/tools', headers: bearer(member.key) }), 200).items;
    expect(visible.map((tool: { name: string }) => tool.name)).not.toContain('calculator');
    expect(body(await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(member.key), payload: { enabled: false } }), 403).code).toBe('ROLE_REQUIRED');
  });

  it('audits registry changes and validates them', async () => {
    const changed = body(
      await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { timeoutMs: 5000, description: 'Sums' } }),
      200,
    );
    expect(changed).toMatchObject({ timeoutMs: 5000, description: 'Sums', version: 2 });
    const [event] = body(await app().inject({ method: 'GET', url: '/audit?action=tool.updated', headers: bearer(ADMIN_KEY) }), 200).items;
    expect(event).toMatchObject({ targetType: 'tool', targetId: changed.id, details: { name: 'calculator', changes: { timeoutMs: { from: 30000, to: 5000 } } } });
    const invalid = body(
      await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { timeoutMs: 5, allowedRoles: [], kind: 'http' } }),
      400,
    );
    expect(invalid.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/allowedRoles', '/kind', '/timeoutMs']);
    body(await app().inject({ method: 'PATCH', url: '/tools/nope', headers: bearer(ADMIN_KEY), payload: { enabled: false } }), 404);
  });

  it('answers a repeated call of a cacheable tool from the cache, per caller, until the tool changes', async () => {
    const events: ToolCallEvent[] = [];
    app().get(ToolCallObservers).add({ onToolCall: (event) => events.push(event) });
    const [alice, bob] = [await createUser(app()), await createUser(app())];
    const first = body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200);
    const second = body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200);
    expect(first).toMatchObject({ result: { value: 42 }, cached: false });
    expect(second).toMatchObject({ result: { value: 42 }, cached: true, isError: false });
    expect(second.invocationId).not.toBe(first.invocationId);
    // Keys hold the caller (a tool may answer per caller) and the tool's version.
    expect(body(await invoke('calculator', { expression: '6 * 7' }, bob.key), 200).cached).toBe(false);
    await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { description: 'Arithmetic, changed' } });
    expect(body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200).cached).toBe(false);
    expect(body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200).cached).toBe(true);
    // Failures are never cached; a TTL of 0 turns caching off.
    body(await invoke('calculator', { expression: '1 +' }, alice.key), 200);
    expect(body(await invoke('calculator', { expression: '1 +' }, alice.key), 200).cached).toBe(false);
    await app().inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { cacheTtlSeconds: 0 } });
    body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200);
    expect(body(await invoke('calculator', { expression: '6 * 7' }, alice.key), 200).cached).toBe(false);

    await app().get(HistoryRecorder).flush();
    const recorded = body(await app().inject({ method: 'GET', url: `/tool-invocations?userId=${alice.id}`, headers: bearer(ADMIN_KEY) }), 200).items;
    expect(recorded.find((row: { id: string }) => row.id === second.invocationId)).toMatchObject({ cached: true, status: 'ok', result: { value: 42 } });
    expect(events.filter((event) => event.cached)).toHaveLength(2);
    expect(events[0]).toMatchObject({ toolName: 'calculator', kind: 'builtin', source: 'rest', outcome: 'ok', cached: false });
    body(await invoke('calculator', { nope: 1 }, alice.key), 400);
    expect(events.at(-1)).toMatchObject({ toolName: 'calculator', outcome: 'refused', errorCode: 'TOOL_INPUT_INVALID' });
  });

  it("lists a tool's invocations: a member's own, everyone's for an admin", async () => {
    const [alice, bob] = [await createUser(app()), await createUser(app())];
    await invoke('calculator', { expression: '1 + 1' }, alice.key);
    await invoke('calculator', { expression: '2 + 2' }, bob.key);
    await app().get(HistoryRecorder).flush();
    const list = async (key: string, query = '') =>
      body(await app().inject({ method: 'GET', url: `/tools/calculator/invocations${query}`, headers: bearer(key) }), 200).items;
    expect((await list(alice.key)).map((row: { arguments: unknown }) => row.arguments)).toEqual([{ expression: '1 + 1' }]);
    expect(await list(ADMIN_KEY)).toHaveLength(2);
    expect(await list(ADMIN_KEY, `?userId=${bob.id}&status=ok`)).toHaveLength(1);
    body(await app().inject({ method: 'GET', url: '/tools/nope/invocations', headers: bearer(alice.key) }), 404);
    expect(body(await app().inject({ method: 'GET', url: '/tools/calculator/invocations?tool=x', headers: bearer(alice.key) }), 400).errors[0].pointer).toBe('/tool');
  });

  it('keeps built-in tools: they can be disabled, not deleted or redefined, and none can be created', async () => {
    const admin = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app().inject({ method, url, headers: bearer(ADMIN_KEY), ...(payload && { payload }) });
    expect(body(await admin('DELETE', '/tools/calculator'), 409).code).toBe('TOOL_NOT_DELETABLE');
    body(await admin('DELETE', '/tools/nope'), 404);
    const redefine = body(await admin('PATCH', '/tools/calculator', { config: { url: 'http://example.com' } }), 400);
    expect(redefine.errors).toEqual([{ pointer: '/config', message: expect.stringContaining('kind builtin') }]);
    const create = body(await admin('POST', '/tools', { name: 'sum', kind: 'builtin', description: 'x', inputSchema: { type: 'object' }, config: {} }), 400);
    expect(create.errors).toEqual([{ pointer: '/kind', message: expect.stringContaining('kind builtin') }]);
    const invalid = body(await admin('POST', '/tools', { name: 'bad name!', kind: 'nope', inputSchema: [], config: {} }), 400);
    expect(invalid.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/inputSchema', '/kind', '/name']);
    const member = await createUser(app());
    const refused = await app().inject({ method: 'DELETE', url: '/tools/calculator', headers: bearer(member.key) });
    expect(body(refused, 403).code).toBe('ROLE_REQUIRED');
  });

  it('pages the registry by name', async () => {
    const page = body(await app().inject({ method: 'GET', url: '/tools?limit=1', headers: bearer(ADMIN_KEY) }), 200);
    expect(page.items.map((tool: { name: string }) => tool.name)).toEqual(['calculator']);
    expect(body(await app().inject({ method: 'GET', url: '/tools?q=ARITHMETIC', headers: bearer(ADMIN_KEY) }), 200).items).toHaveLength(1);
    expect(body(await app().inject({ method: 'GET', url: '/tools?kind=http', headers: bearer(ADMIN_KEY) }), 200).items).toEqual([]);
    expect(body(await app().inject({ method: 'GET', url: '/tools?cursor=%21%21', headers: bearer(ADMIN_KEY) }), 400).code).toBe('INVALID_CURSOR');
  });
});

// Instances share the registry through Postgres and the version key in Redis: the embedded mode is one instance.
(onPostgres ? describe : describe.skip)('tools on two instances', () => {
  it('sees a registry change made on one instance on the very next call to the other', async () => {
    const env = { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' };
    const [first, second] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
    try {
      await resetState(first);
      await first.get(BuiltinToolHandler).onApplicationBootstrap();
      const run = (app: NestFastifyApplication) =>
        app.inject({ method: 'POST', url: '/tools/calculator/invoke', headers: bearer(ADMIN_KEY), payload: { arguments: { expression: '1+1' } } });
      // Both have the registry loaded before the change.
      expect((await run(first)).statusCode).toBe(200);
      expect((await run(second)).statusCode).toBe(200);
      await first.inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { enabled: false } });
      expect((await run(second)).statusCode).toBe(409);
      await second.inject({ method: 'PATCH', url: '/tools/calculator', headers: bearer(ADMIN_KEY), payload: { enabled: true } });
      expect((await run(first)).statusCode).toBe(200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
