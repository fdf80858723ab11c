import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseEnv, ServerProcess } from './support/server-process.js';
import { onPostgres } from './support/test-app.js';

describe('the server process (built, as `npm run start:prod` runs it)', () => {
  jest.setTimeout(90_000);
  let dataDir: string;
  const servers: ServerProcess[] = [];
  const start = (env: Record<string, string | undefined>) => {
    const server = new ServerProcess({ ...databaseEnv(dataDir), ...env });
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcpa-data-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Configuration is read before any database is touched: checked once, on the postgres pass.
  const oncePerRun = onPostgres ? it : it.skip;

  oncePerRun.each([
    [{ PORT: 'abc' }, /^Configuration error: PORT .*\(got "abc"\)$/],
    [{ DATABASE_URL: 'mysql://db/x' }, /^Configuration error: DATABASE_URL must be a postgres:\/\/ URL$/],
    [{ LOG_LEVEL: 'loud' }, /^Configuration error: LOG_LEVEL must be one of the following values: .*\(got "loud"\)$/],
    [{ BODY_LIMIT: 'huge' }, /^Configuration error: BODY_LIMIT must be a size in bytes/],
    [{ API_KEY: 'short' }, /^Configuration error: API_KEY must be at least 16 characters long$/],
  ])('refuses to start on a bad variable %j with one line naming it, exit 1', async (env, message) => {
    const server = start(env);
    expect(await server.exited).toBe(1);
    expect(server.stderr).toHaveLength(1);
    expect(server.stderr[0]).toMatch(message);
    expect(server.stderr[0]).not.toContain('mysql://db/x');
  });

  oncePerRun('reads APP_CONFIG, with the environment winning', async () => {
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify({ LOG_LEVEL: 'nope', HEALTH_DISK_MAX_USED_PERCENT: 99 }));
    const bad = start({ APP_CONFIG: file, LOG_LEVEL: undefined });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr[0]).toMatch(/LOG_LEVEL/);

    writeFileSync(file, JSON.stringify({ LOG_LEVEL: 'nope', UNKNOWN_THING: 1 }));
    const unknown = start({ APP_CONFIG: file, LOG_LEVEL: 'info' });
    expect(await unknown.exited).toBe(1);
    expect(unknown.stderr[0]).toBe(`Configuration error: APP_CONFIG: ${file} has unknown key UNKNOWN_THING`);

    writeFileSync(file, JSON.stringify({ LOG_LEVEL: 'nope', SHUTDOWN_TIMEOUT_MS: 5000 }));
    const good = start({ APP_CONFIG: file, LOG_LEVEL: 'info' });
    await good.listening();
    good.signal('SIGTERM');
    expect(await good.exited).toBe(0);
  });

  it('serves readiness and docs, logs JSON with request ids and no credentials, and exits 0 on SIGTERM', async () => {
    const server = start({ LOG_LEVEL: 'debug' });
    const url = await server.listening();
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    const probe = await fetch(`${url}/health/live`, { headers: { 'x-request-id': 'probe-1' } });
    expect(probe.headers.get('x-request-id')).toBe('probe-1');
    const missing = await fetch(`${url}/nope`, {
      headers: { 'x-request-id': 'req-1', authorization: 'Bearer secret-token-123', 'x-api-key': 'key-456', cookie: 'session=abc' },
    });
    expect(missing.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const logs = server.logs();
    expect(logs.length).toBe(server.stdout.length);
    const requestLines = logs.filter((line) => line.requestId === 'req-1');
    // The filter's own line and the access line both carry the request id.
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    // The access line names the request, not its headers (credentials and all).
    expect(requestLines.find((line) => line.req)).toMatchObject({ req: { method: 'GET', url: '/nope', userAgent: expect.any(String) }, res: { statusCode: 404 } });
    expect(requestLines.find((line) => line.req)?.req.headers).toBeUndefined();
    const output = server.stdout.join('\n');
    for (const secret of ['secret-token-123', 'key-456', 'session=abc']) expect(output).not.toContain(secret);
    // Probes are logged at debug only.
    const probeLines = logs.filter((line) => line.requestId === 'probe-1');
    expect(probeLines.length).toBeGreaterThan(0);
    for (const line of probeLines) expect(line.level).toBeLessThanOrEqual(20);

    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(logs.concat(server.logs()).some((line) => line.msg === 'shutdown complete')).toBe(true);
  });

  (onPostgres ? it.skip : it)('keeps embedded data in DATA_DIR across restarts', async () => {
    const first = start({});
    await first.listening();
    const installation = (line: string) => /installation ([0-9a-f-]{36})/.exec(line)?.[1];
    const firstId = first.stdout.map(installation).find(Boolean);
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = start({});
    await second.listening();
    expect(second.stdout.map(installation).find(Boolean)).toBe(firstId);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
