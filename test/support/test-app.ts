import { Module, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE, RedisService } from '@app/core';
import { ToolRegistry } from '@app/tools';
import { AppModule } from '../../apps/server/src/app.module.js';
import { createApp } from '../../apps/server/src/create-app.js';

export const mode = process.env.TEST_MODE as 'postgres' | 'embedded';
export const onPostgres = mode === 'postgres';

/** Refuses any database whose name lacks "test": the suites truncate tables. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('test')) throw new Error(`refusing to run tests against database "${name}"`);
}

async function ensureDatabase(url: string): Promise<void> {
  assertTestDatabase(url);
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error; // created meanwhile by another worker
    });
  } finally {
    await client.end();
  }
}

export interface TestAppOptions {
  /** Variables set while the app is built (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** Extra controllers mounted beside the real app, for exercising the HTTP pipeline. */
  controllers?: Type[];
  providers?: Type[];
}

/** Boots the real app (migrations, config, filters) on this run's mode, without listening. */
export async function createTestApp(options: TestAppOptions = {}): Promise<NestFastifyApplication> {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(options.env ?? {})) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    if (process.env.DATABASE_URL) await ensureDatabase(process.env.DATABASE_URL);
    let root: Type = AppModule;
    if (options.controllers || options.providers) {
      @Module({ imports: [AppModule], controllers: options.controllers ?? [], providers: options.providers ?? [] })
      class TestRootModule {}
      root = TestRootModule;
    }
    const app = await createApp(root);
    await app.getHttpAdapter().getInstance().ready();
    return app;
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Empties every table but the migrations ledger, and this worker's Redis database. */
export async function resetState(app: NestFastifyApplication): Promise<void> {
  const dataSource = app.get(DataSource);
  const tables: { tablename: string }[] = await dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1`,
    [MIGRATIONS_TABLE],
  );
  if (tables.length) await dataSource.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} CASCADE`);
  const redis = app.get(RedisService);
  if (redis.ready) await redis.client!.flushDb();
  // The registry is held in memory; without Redis nothing else would tell it that its tables were emptied.
  await app.get(ToolRegistry).changed();
}

/**
 * Boots one app for a describe block and closes it after; with `reset`, every test starts on empty tables.
 * Returns a getter, as the app exists only once beforeAll has run.
 */
export function useTestApp(options: TestAppOptions & { reset?: boolean } = {}): () => NestFastifyApplication {
  let app: NestFastifyApplication | undefined;
  beforeAll(async () => {
    app = await createTestApp(options);
  });
  afterAll(async () => {
    await app?.close();
  });
  if (options.reset) {
    beforeEach(async () => {
      await resetState(app!);
    });
  }
  return () => app!;
}
