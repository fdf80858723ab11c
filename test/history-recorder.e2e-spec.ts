import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ShutdownService } from '@app/health';
import { HistoryRecorder, InvocationRecord } from '@app/history';
import { databaseEnv, ServerProcess } from './support/server-process.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { ADMIN_KEY, bearer } from './support/users.js';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';
import { waitFor } from './support/wait-for.js';

const USER_ID = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const call = (i: number): InvocationRecord => ({ userId: USER_ID, toolName: 'calculator', source: 'rest', arguments: { i }, status: 'ok', durationMs: 2 });

async function countRows(app: NestFastifyApplication): Promise<number> {
  const [{ count }] = await app.get(DataSource).query('SELECT count(*)::int AS count FROM tool_invocations');
  return count;
}

describe('history recorder', () => {
  jest.setTimeout(90_000);
  it('loses no acknowledged tool call when the server process gets SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpa-sigterm-'));
    // Rows reach the database only through the shutdown flush: no size or interval flush can happen first.
    const env = { ...databaseEnv(dataDir), API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', HISTORY_FLUSH_INTERVAL_MS: '600000', HISTORY_BATCH_SIZE: '5000' };
    if (onPostgres) {
      const app = await createTestApp();
      await resetState(app);
      await app.close();
    }
    const server = new ServerProcess(env);
    try {
      const url = await server.listening();
      let acknowledged = 0;
      for (let wave = 0; wave < 6; wave++) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${url}/tools/calculator/invoke`, {
              method: 'POST',
              headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
              body: JSON.stringify({ arguments: { expression: `${wave} * 100 + ${i}` } }),
            }),
          ),
        );
        acknowledged += responses.filter((response) => response.status === 200).length;
      }
      expect(acknowledged).toBe(300);
      server.signal('SIGTERM');
      expect(await server.exited).toBe(0);

      const reopened = await createTestApp({ env: { DATA_DIR: dataDir } });
      try {
        expect(await countRows(reopened)).toBe(acknowledged);
      } finally {
        await reopened.close();
      }
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('writes every acknowledged invocation during a graceful shutdown', async () => {
    // Nothing is flushed by size or time before the shutdown: only the shutdown flush can save these rows.
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpa-recorder-'));
    const env = { DATA_DIR: dataDir, HISTORY_FLUSH_INTERVAL_MS: '600000', HISTORY_BATCH_SIZE: '5000' };
    try {
      const app = await createTestApp({ env });
      await resetState(app);
      const recorder = app.get(HistoryRecorder);
      for (let i = 0; i < 1234; i++) recorder.record(call(i));
      expect(recorder.pending).toBe(1234);
      await app.get(ShutdownService).drain(app);

      const reopened = await createTestApp({ env });
      try {
        expect(await countRows(reopened)).toBe(1234);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps at most HISTORY_BUFFER_MAX rows, dropping the oldest, and says so in readiness', async () => {
    const app = await createTestApp({ env: { HISTORY_FLUSH_INTERVAL_MS: '600000', HISTORY_BATCH_SIZE: '5000', HISTORY_BUFFER_MAX: '100' } });
    try {
      await resetState(app);
      const recorder = app.get(HistoryRecorder);
      for (let i = 0; i < 150; i++) recorder.record(call(i));
      expect(recorder.pending).toBe(100);
      const ready = (await app.inject({ method: 'GET', url: '/health/ready' })).json();
      expect(ready.details.history_recorder).toEqual({ status: 'up', buffered: 100, dropped: 50 });
      await recorder.flush();
      const kept = await app.get(DataSource).query(`SELECT min((arguments->>'i')::int) AS first FROM tool_invocations`);
      expect(kept[0].first).toBe(50);
    } finally {
      await app.close();
    }
  });

  // Cutting the database off needs a network hop: the postgres pass only.
  (onPostgres ? it : it.skip)('holds rows while Postgres is unreachable, reports it in readiness, and writes them once it is back', async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await proxy.start();
    const viaProxy = new URL(target);
    viaProxy.port = String(port);
    const app = await createTestApp({ env: { DATABASE_URL: viaProxy.toString(), HISTORY_FLUSH_INTERVAL_MS: '100' } });
    try {
      await resetState(app);
      const recorder = app.get(HistoryRecorder);
      await proxy.cut();
      for (let i = 0; i < 10; i++) recorder.record(call(i));
      const recorderState = async () => (await app.inject({ method: 'GET', url: '/health/ready' })).json();
      await waitFor(async () => (await recorderState()).error?.history_recorder !== undefined, 10_000);
      const down = await recorderState();
      expect(down.status).toBe('error');
      expect(down.error.history_recorder).toMatchObject({ status: 'down', buffered: 10, dropped: 0 });
      expect(typeof down.error.history_recorder.lastError).toBe('string');
      expect(recorder.pending).toBe(10);

      await proxy.start(port);
      await waitFor(async () => recorder.pending === 0, 15_000);
      expect(await countRows(app)).toBe(10);
      expect((await recorderState()).details.history_recorder).toEqual({ status: 'up', buffered: 0, dropped: 0 });
    } finally {
      await app.close();
      await proxy.cut();
    }
  });
});
