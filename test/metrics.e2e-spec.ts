import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { AddressInfo } from 'node:net';
import { BuiltinToolHandler } from '@app/tools';
import { onPostgres, resetState, useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

const METRICS_TOKEN = 'metrics-scraper-token-3b9f1c';

/** The value of one sample in Prometheus text format, matched by name and labels (in any order); undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('metrics', () => {
  const app = useTestApp({ env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', METRICS_TOKEN } });
  const scrape = async () => {
    const response = await app().inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };
  const invoke = (key: string, expression: unknown) =>
    app().inject({ method: 'POST', url: '/tools/calculator/invoke', headers: bearer(key), payload: { arguments: { expression } } });

  beforeEach(async () => {
    await resetState(app());
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  it('answers only a scraper presenting METRICS_TOKEN, with a problem otherwise', async () => {
    for (const headers of [{}, bearer('wrong-token-wrong-token'), bearer(ADMIN_KEY)]) {
      const refused = await app().inject({ method: 'GET', url: '/metrics', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ code: 'METRICS_TOKEN_REQUIRED' });
    }
    const text = await scrape();
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('times requests by route template and status, never by raw path', async () => {
    const user = await createUser(app());
    const labels = { method: 'GET', route: '/users/me', status: '200' };
    const before = sample(await scrape(), 'http_request_duration_seconds_count', labels) ?? 0;
    for (let i = 0; i < 3; i++) await app().inject({ method: 'GET', url: '/users/me', headers: bearer(user.key) });
    await app().inject({ method: 'GET', url: '/tools/no-such-tool', headers: bearer(user.key) });
    await app().inject({ method: 'GET', url: '/no/such/route/raw-path-probe' });
    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(before + 3);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/tools/:name', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // A word, not a number: a number can turn up in any gauge (process_virtual_memory_bytes 24007471104 did).
    expect(text).not.toContain('raw-path-probe');
    expect(text).not.toContain('no-such-tool');
  });

  it('counts tool calls by outcome and source, times them, and counts cache hits and misses', async () => {
    const user = await createUser(app());
    const count = (text: string, status: string) => sample(text, 'mcpa_tool_invocations_total', { tool: 'calculator', status, source: 'rest' }) ?? 0;
    const before = await scrape();
    await invoke(user.key, '6 * 7');
    await invoke(user.key, '6 * 7');
    await invoke(user.key, '1 +');
    await invoke(user.key, 42);
    const after = await scrape();
    expect(count(after, 'ok') - count(before, 'ok')).toBe(2);
    expect(count(after, 'error') - count(before, 'error')).toBe(1);
    expect(count(after, 'refused') - count(before, 'refused')).toBe(1);
    const cache = (text: string, result: string) => sample(text, 'mcpa_tool_cache_total', { tool: 'calculator', result }) ?? 0;
    expect(cache(after, 'hit') - cache(before, 'hit')).toBe(1);
    expect(cache(after, 'miss') - cache(before, 'miss')).toBe(2);
    const timed = (text: string) => sample(text, 'mcpa_tool_duration_seconds_count', { tool: 'calculator', source: 'rest' }) ?? 0;
    expect(timed(after) - timed(before)).toBe(3);
  });

  it('reports the MCP sessions this instance holds, the database, and Redis while it is configured', async () => {
    const user = await createUser(app());
    await app().listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app().getHttpServer().address() as AddressInfo).port}`;
    const client = new Client({ name: 'metrics-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: bearer(user.key) } }));
    try {
      const text = await scrape();
      expect(sample(text, 'mcpa_mcp_sessions_active')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'mcpa_db_up')).toBe(1);
      expect(sample(text, 'mcpa_redis_up')).toBe(onPostgres ? 1 : undefined);
      expect(sample(text, 'mcpa_db_pool_connections')).toEqual(onPostgres ? expect.any(Number) : undefined);
    } finally {
      await client.close();
    }
  });
});

describe('metrics turned off', () => {
  const app = useTestApp({ env: { METRICS_ENABLED: 'false' } });

  it('answers 404 at /metrics and times nothing', async () => {
    await app().inject({ method: 'GET', url: '/health/live' });
    const response = await app().inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'METRICS_DISABLED' });
  });
});
