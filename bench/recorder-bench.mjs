// In-process: tool invocations written through HistoryRecorder (buffered, multi-row inserts) against one INSERT per
// call, on the same app and database. Prints one JSON line: rows per second of each.
import { performance } from 'node:perf_hooks';

process.env.LOG_LEVEL ??= 'warn';
process.env.DATABASE_URL ??= '';
process.env.REDIS_URL = '';
if (!process.env.DATABASE_URL) process.env.DATA_DIR = 'memory';

const { createApp } = await import('../dist/apps/server/src/create-app.js');
const { HistoryRecorder, ToolInvocation } = await import('../dist/libs/history/src/index.js');
const { DataSource } = await import('typeorm');
const { randomUUID } = await import('node:crypto');

const BATCHED = Number(process.env.BENCH_RECORDER_CALLS ?? 20_000);
const SINGLE = Math.max(1, Math.round(BATCHED / 10));
const userId = randomUUID();
const entry = (i) => ({ userId, toolName: 'calculator', source: 'rest', arguments: { expression: `${i}+1` }, result: { value: i + 1 }, status: 'ok', durationMs: 1 });

const app = await createApp();
try {
  const recorder = app.get(HistoryRecorder);
  const dataSource = app.get(DataSource);

  let started = performance.now();
  for (let i = 0; i < BATCHED; i++) recorder.record(entry(i));
  await recorder.flush();
  const batched = BATCHED / ((performance.now() - started) / 1000);

  started = performance.now();
  for (let i = 0; i < SINGLE; i++) {
    const { arguments: args, ...rest } = entry(i);
    await dataSource.createQueryBuilder().insert().into(ToolInvocation)
      .values({ ...rest, arguments: args, id: randomUUID(), createdAt: new Date(), cached: false, conversationId: null, runId: null })
      .updateEntity(false).execute();
  }
  const single = SINGLE / ((performance.now() - started) / 1000);

  const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM tool_invocations WHERE user_id = $1', [userId]);
  if (count !== BATCHED + SINGLE) throw new Error(`expected ${BATCHED + SINGLE} rows, found ${count}`);
  await dataSource.query('DELETE FROM tool_invocations WHERE user_id = $1', [userId]);
  console.log(JSON.stringify({ batched, single, database: process.env.DATABASE_URL ? 'postgres' : 'pglite' }));
} finally {
  await app.close();
}
