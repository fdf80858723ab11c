import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseEnv, ServerProcess } from './support/server-process.js';
import { createTestApp, onPostgres } from './support/test-app.js';

const CLI_ENTRY = 'dist/apps/server/src/cli.js';

/** The database this pass runs on, for the CLI and a server process started by the test. */
interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as an operator would: its own defaults for logging (no LOG_LEVEL, no API_KEY). */
function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: undefined, API_KEY: undefined, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { env: merged, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the users:create-admin command (built CLI)', () => {
  jest.setTimeout(90_000);
  let dataDir: string;
  let app: NestFastifyApplication | undefined;
  let server: ServerProcess | undefined;
  const suffix = randomBytes(5).toString('hex');
  const email = `cli-admin-${suffix}@example.com`;
  let key = '';

  /** A GET with the new key: in process on postgres, over HTTP to a server process on the embedded database. */
  const get = async (path: string): Promise<{ status: number; body: any }> => {
    if (app) {
      const response = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
      return { status: response.statusCode, body: response.json() };
    }
    if (!server) {
      // PGlite keeps DATA_DIR to one process: the server starts only once every CLI run is done.
      server = new ServerProcess(databaseEnv(dataDir));
      await server.listening();
    }
    const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': key } });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcpa-cli-'));
    // On postgres the worker's database must exist; the app creates (and migrates) it. On the embedded database the
    // CLI itself migrates the fresh DATA_DIR.
    if (onPostgres) app = await createTestApp();
  });
  afterAll(async () => {
    await server?.stop();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an admin and prints their key alone on stdout', async () => {
    const result = await runCli(['users:create-admin', '--email', email, '--name', 'CLI Admin'], databaseEnv(dataDir));
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^mcpa_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}\n$/);
    key = result.stdout.trim();
    expect(result.stderr).toContain(`Created admin ${email}`);
    expect(result.stderr).not.toContain(key);
    expect(result.stderr).not.toContain(key.slice(18));
  });

  it('refuses the same email in another case with exit 1, creating nothing', async () => {
    const result = await runCli(['users:create-admin', '--email', email.toUpperCase()], databaseEnv(dataDir));
    expect(result.code).toBe(1);
    // Log lines go to stderr too: stdout holds a command's output and nothing else.
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/(^|\n)Email already in use: .*\n$/);
    expect(result.stderr).toContain(email.toUpperCase());
  });

  it('exits 2 with the usage when --email is missing', async () => {
    const missing = await runCli(['users:create-admin', '--name', 'Nobody'], databaseEnv(dataDir));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/--email <email> is required/);
    expect(missing.stderr).toContain('Usage: ');
    expect(missing.stderr).toContain('users:create-admin --email <email>');
  });

  it('issued a key that authenticates as the new admin, with the creation audited as done from the CLI', async () => {
    expect(key).not.toBe('');
    const me = await get('/users/me');
    expect(me).toMatchObject({ status: 200, body: { email, name: 'CLI Admin', role: 'admin', status: 'active' } });
    const userId: string = me.body.id;

    const users = await get(`/users?q=${encodeURIComponent(`cli-admin-${suffix}`)}`);
    expect(users.status).toBe(200);
    expect(users.body.items.map((user: { id: string }) => user.id)).toEqual([userId]);

    const audit = await get(`/audit?action=user.created&targetId=${userId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'user.created', actorId: null, targetType: 'user', targetId: userId, details: expect.objectContaining({ email, role: 'admin', via: 'cli' }) }),
    ]);
    const keys = await get('/users/me/api-keys');
    expect(keys.body.items).toEqual([expect.objectContaining({ userId, prefix: key.slice(0, 17), scopes: ['*'], status: 'active' })]);
    expect(JSON.stringify(keys.body)).not.toContain(key.slice(18));
    const keyEvents = await get(`/audit?action=api_key.created&targetId=${keys.body.items[0].id}`);
    expect(keyEvents.body.items).toEqual([expect.objectContaining({ actorId: null, details: expect.objectContaining({ userId, prefix: key.slice(0, 17) }) })]);
    expect(JSON.stringify(keyEvents.body)).not.toContain(key.slice(18));
  });
});
