import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { HistoryRecorder } from '@app/history';
import { createTestApp, onPostgres } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

const run = promisify(execFile);
const BACKUP = 'docker/backup/backup.sh';
const RESTORE = 'docker/backup/restore.sh';

/** A script's exit code and output; never throws on a non-zero exit. */
async function script(path: string, args: string[], env: Record<string, string | undefined>) {
  const { DATABASE_URL: _, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run('bash', [path, ...args], { env: { ...inherited, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every table of the database with all its rows, in a stable order. */
function contents(url: string): Promise<Record<string, unknown[]>> {
  return onServer(url, async (client) => {
    const { rows: tables } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    const result: Record<string, unknown[]> = {};
    for (const { tablename } of tables) {
      const { rows } = await client.query(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]') AS rows FROM "${tablename}" t`);
      result[tablename] = rows[0].rows;
    }
    return result;
  });
}

// pg_dump and pg_restore work on Postgres; the embedded database is a directory, backed up by copying it.
(onPostgres ? describe : describe.skip)('docker/backup: backup.sh and restore.sh', () => {
  const name = `backup_test_${process.pid}`;
  /** This worker's server, another database on it. */
  const databaseNamed = (database: string) => Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${database}` }).toString();
  const drop = (client: pg.Client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const recreate = () => onServer(databaseNamed('postgres'), async (client) => {
    await drop(client);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  let databaseUrl: string;
  let original: Record<string, unknown[]>;
  let backups: string;
  let dump: string;

  beforeAll(async () => {
    databaseUrl = databaseNamed(name);
    await recreate();
    // The app migrates the scratch database at boot; then users, keys, a conversation and tool calls go in through its API.
    const app = await createTestApp({ env: { DATABASE_URL: databaseUrl, API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' } });
    try {
      const user = await createUser(app);
      const conversation = (await app.inject({ method: 'POST', url: '/conversations', headers: bearer(user.key), payload: { title: 'Before the backup' } })).json();
      for (const content of ['What is 6 * 7?', 'It is 42.']) {
        const role = content.startsWith('What') ? 'user' : 'assistant';
        await app.inject({ method: 'POST', url: `/conversations/${conversation.id}/messages`, headers: bearer(user.key), payload: { role, content } });
      }
      for (const expression of ['6 * 7', '1 +']) {
        await app.inject({ method: 'POST', url: '/tools/calculator/invoke', headers: bearer(user.key), payload: { arguments: { expression } } });
      }
      await app.get(HistoryRecorder).flush();
    } finally {
      await app.close();
    }
    original = await contents(databaseUrl);
    backups = mkdtempSync(join(tmpdir(), 'mcpa-backups-'));
  }, 60_000);

  afterAll(async () => {
    await onServer(databaseNamed('postgres'), drop);
    if (backups) rmSync(backups, { recursive: true, force: true });
  });

  it('dumps the database in custom format to a timestamped file, and deletes its dumps past the retention', async () => {
    for (const table of ['users', 'api_keys', 'audit_events', 'conversations', 'messages', 'tool_invocations', 'tools', 'schema_migrations']) {
      expect({ table, rows: original[table].length > 0 }).toEqual({ table, rows: true });
    }
    const expired = join(backups, 'mcp-assistant-20200101T000000Z.dump');
    const recent = join(backups, 'mcp-assistant-20200102T000000Z.dump');
    const unrelated = join(backups, 'notes.txt');
    for (const file of [expired, recent, unrelated]) writeFileSync(file, 'not a dump');
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    utimesSync(expired, daysAgo(8), daysAgo(8));
    utimesSync(recent, daysAgo(6), daysAgo(6));
    utimesSync(unrelated, daysAgo(30), daysAgo(30));

    const result = await script(BACKUP, [backups], { DATABASE_URL: databaseUrl, BACKUP_RETENTION_DAYS: '7' });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/mcp-assistant-\d{8}T\d{6}Z\.dump\n$/) });
    dump = result.stdout.trim();
    expect(readFileSync(dump).subarray(0, 5).toString()).toBe('PGDMP'); // pg_dump's custom format
    expect(result.stderr).toContain(`deleted expired ${expired}`);
    expect(readdirSync(backups).sort()).toEqual([dump.slice(backups.length + 1), 'mcp-assistant-20200102T000000Z.dump', 'notes.txt'].sort());
  });

  it('restores the dump into a database made anew, table by table and row by row', async () => {
    await recreate();
    expect(Object.keys(await contents(databaseUrl))).toEqual([]);
    const result = await script(RESTORE, [dump], { DATABASE_URL: databaseUrl });
    expect(result).toMatchObject({ code: 0, stderr: expect.stringContaining('restored') });
    expect(await contents(databaseUrl)).toEqual(original);
  });

  it('restores over a database that changed since, dropping what the backup did not have', async () => {
    await onServer(databaseUrl, async (client) => {
      await client.query(`DELETE FROM messages`);
      await client.query(`UPDATE users SET name = 'changed after the backup'`);
      await client.query(`CREATE TABLE scratch_after_backup (id int)`);
    });
    const result = await script(RESTORE, [dump], { DATABASE_URL: databaseUrl });
    expect(result.code).toBe(0);
    const { scratch_after_backup: kept, ...restored } = await contents(databaseUrl);
    expect(restored).toEqual(original);
    expect(kept).toEqual([]); // not in the dump, so not touched by --clean
  });

  it('refuses to run without DATABASE_URL or with a dump that is not there, saying why', async () => {
    expect(await script(BACKUP, [backups], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('DATABASE_URL is not set') });
    expect(await script(BACKUP, [backups], { DATABASE_URL: 'mysql://x/y' })).toMatchObject({ code: 2, stderr: expect.stringContaining('postgres://') });
    expect(await script(RESTORE, [], { DATABASE_URL: databaseUrl })).toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
    expect(await script(RESTORE, ['/no/such.dump'], { DATABASE_URL: databaseUrl })).toMatchObject({ code: 2, stderr: expect.stringContaining('no such dump file') });
  });
});
