import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { RedisService } from '@app/core';
import { RetentionService } from '@app/history';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';
import { waitFor } from './support/wait-for.js';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const realRunScheduled = RetentionService.prototype.runScheduled;

async function insertUser(db: DataSource): Promise<string> {
  const [{ id }] = await db.query(`INSERT INTO users (email, name, role) VALUES ($1, 'Ada', 'member') RETURNING id`, [
    `ada-${randomUUID()}@example.com`,
  ]);
  return id;
}

/** A conversation with two messages; lastMessageAt null means it never had activity after creation. */
async function insertConversation(db: DataSource, userId: string, createdAt: Date, lastMessageAt: Date | null = null): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO conversations (user_id, title, last_sequence, last_message_at, created_at, updated_at)
     VALUES ($1, 'chat', 2, $2, $3, $3) RETURNING id`,
    [userId, lastMessageAt, createdAt],
  );
  await db.query(`INSERT INTO messages (conversation_id, sequence, role, content) VALUES ($1, 1, 'user', 'hi'), ($1, 2, 'assistant', 'hello')`, [id]);
  return id;
}

async function insertInvocation(db: DataSource, userId: string, createdAt: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO tool_invocations (id, user_id, tool_name, source, status, duration_ms, created_at) VALUES ($1, $2, 'echo', 'rest', 'ok', 5, $3)`,
    [id, userId, createdAt],
  );
  return id;
}

const ids = async (db: DataSource, sql: string) => ((await db.query(sql)) as { id: string }[]).map((row) => row.id).sort();

describe('history retention', () => {
  let off: NestFastifyApplication;
  let app: NestFastifyApplication;
  // Two instances share one database and Redis; the embedded mode is one instance, so both calls go to the same app.
  let peer: NestFastifyApplication;
  let db: DataSource;
  let retention: RetentionService;
  // Every instance's timer lands here, so the boot-time run never purges rows a test is setting up.
  const scheduled = jest.spyOn(RetentionService.prototype, 'runScheduled').mockResolvedValue({ ran: false });
  const env = { HISTORY_RETENTION_DAYS: '30' };

  beforeAll(async () => {
    // Booted first, so a run it wrongly scheduled would come due before the one `app` schedules.
    off = await createTestApp({ env: { HISTORY_RETENTION_DAYS: '0' } });
    app = await createTestApp({ env });
    peer = onPostgres ? await createTestApp({ env }) : app;
    for (const instance of new Set([app, peer])) {
      const redis = instance.get(RedisService);
      if (redis.configured) await waitFor(async () => redis.ready);
    }
    db = app.get(DataSource);
    retention = app.get(RetentionService);
  });
  afterAll(async () => {
    scheduled.mockRestore();
    await Promise.all([...new Set([off, app, peer])].map((instance) => instance?.close()));
  });
  beforeEach(async () => {
    await resetState(app);
  });

  it('deletes conversations idle past the retention period with their messages, and old tool invocations', async () => {
    const userId = await insertUser(db);
    await insertConversation(db, userId, daysAgo(60));
    await insertConversation(db, userId, daysAgo(90), daysAgo(40));
    const revived = await insertConversation(db, userId, daysAgo(90), daysAgo(2));
    const recent = await insertConversation(db, userId, daysAgo(1));
    await insertInvocation(db, userId, daysAgo(40));
    await insertInvocation(db, userId, daysAgo(31));
    const fresh = await insertInvocation(db, userId, daysAgo(29));

    expect(await retention.purge()).toEqual({ conversations: 2, toolInvocations: 2 });

    expect(await ids(db, 'SELECT id FROM conversations')).toEqual([revived, recent].sort());
    expect(await ids(db, 'SELECT DISTINCT conversation_id AS id FROM messages')).toEqual([revived, recent].sort());
    expect(await ids(db, 'SELECT id FROM tool_invocations')).toEqual([fresh]);
    expect(await retention.purge()).toEqual({ conversations: 0, toolInvocations: 0 });
  });

  it('deletes in bounded batches, however much is due', async () => {
    const userId = await insertUser(db);
    await db.query(`INSERT INTO conversations (user_id, title, created_at) SELECT $1, 'old', $2 FROM generate_series(1, 450)`, [userId, daysAgo(60)]);
    await db.query(
      `INSERT INTO tool_invocations (id, user_id, tool_name, source, status, duration_ms, created_at)
       SELECT uuid_generate_v4(), $1, 'echo', 'rest', 'ok', 1, $2 FROM generate_series(1, 2100)`,
      [userId, daysAgo(60)],
    );
    const query = jest.spyOn(db, 'query');
    try {
      expect(await retention.purge()).toEqual({ conversations: 450, toolInvocations: 2100 });
      const deletes = query.mock.calls.map(([sql]) => /DELETE FROM "(\w+)"/.exec(sql)?.[1]).filter(Boolean);
      expect(deletes).toEqual([...Array(3).fill('conversations'), ...Array(3).fill('tool_invocations')]);
    } finally {
      query.mockRestore();
    }
    expect(await db.query('SELECT count(*)::int AS count FROM tool_invocations')).toEqual([{ count: 0 }]);
  });

  it('lets only one of two instances purge at a time', async () => {
    const userId = await insertUser(db);
    await insertConversation(db, userId, daysAgo(60));
    await insertInvocation(db, userId, daysAgo(60));
    const purge = jest.spyOn(RetentionService.prototype, 'purge');
    try {
      const results = await Promise.all([
        realRunScheduled.call(app.get(RetentionService)),
        realRunScheduled.call(peer.get(RetentionService)),
      ]);
      expect(purge).toHaveBeenCalledTimes(1);
      expect(results).toEqual(expect.arrayContaining([{ ran: true, value: { conversations: 1, toolInvocations: 1 } }, { ran: false }]));
    } finally {
      purge.mockRestore();
    }
    // The lock is released after the run: the next one goes ahead.
    expect(await realRunScheduled.call(peer.get(RetentionService))).toEqual({ ran: true, value: { conversations: 0, toolInvocations: 0 } });
  });

  it('keeps everything when retention is off', async () => {
    const offDb = off.get(DataSource);
    await resetState(off);
    const userId = await insertUser(offDb);
    await insertConversation(offDb, userId, daysAgo(3650));
    await insertInvocation(offDb, userId, daysAgo(3650));
    expect(await off.get(RetentionService).purge()).toEqual({ conversations: 0, toolInvocations: 0 });
    expect(await offDb.query('SELECT count(*)::int AS count FROM conversations')).toEqual([{ count: 1 }]);
    expect(await offDb.query('SELECT count(*)::int AS count FROM tool_invocations')).toEqual([{ count: 1 }]);
  });

  // Last, so the suite's earlier tests spend most of the wait for the first scheduled run.
  it('schedules a run shortly after boot when retention is on, and none when it is off', async () => {
    const onService = app.get(RetentionService);
    await waitFor(async () => scheduled.mock.contexts.includes(onService), 10_000);
    expect(scheduled.mock.contexts).not.toContain(off.get(RetentionService));
  });
});
