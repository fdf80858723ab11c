import { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE, SystemMetadataService } from '@app/core';
import { SCHEMA } from '../apps/server/src/schema.js';
import { assertTestDatabase, mode, useTestApp } from './support/test-app.js';

describe(`database (${mode})`, () => {
  const app = useTestApp({ reset: true });
  let dataSource: DataSource;

  beforeAll(() => {
    dataSource = app().get(DataSource);
  });

  it('has applied every migration at boot, recorded in the ledger', async () => {
    const applied: { name: string }[] = await dataSource.query(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY id`);
    expect(applied.map((row) => row.name)).toEqual(SCHEMA.migrations.map((migration) => migration.name));
    expect(await dataSource.showMigrations()).toBe(false);
    const extension = await dataSource.query(`SELECT extname FROM pg_extension WHERE extname = 'uuid-ossp'`);
    expect(extension).toHaveLength(1);
    const [{ id }] = await dataSource.query('SELECT uuid_generate_v4() AS id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('round-trips rows through the system_metadata table', async () => {
    const metadata = app().get(SystemMetadataService);
    const first = await metadata.installationId();
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await metadata.installationId()).toBe(first);
    const rows = await dataSource.query(`SELECT key, value FROM system_metadata`);
    expect(rows).toEqual([{ key: 'installation_id', value: first }]);
  });

  it('reverts and re-applies the migrations', async () => {
    for (let step = 0; step < SCHEMA.migrations.length; step++) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = 'system_metadata'`);
    expect(tables).toHaveLength(0);
    const reapplied = await dataSource.runMigrations({ transaction: 'each' });
    expect(reapplied).toHaveLength(SCHEMA.migrations.length);
    expect(await app().get(SystemMetadataService).installationId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps concurrent transactions apart (a rollback undoes only its own writes)', async () => {
    const failing = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO system_metadata (key, value) VALUES ('doomed', '1')`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('roll back');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const committed = dataSource.query(`INSERT INTO system_metadata (key, value) VALUES ('kept', '2')`);
    await expect(failing).rejects.toThrow('roll back');
    await committed;
    const keys = (await dataSource.query(`SELECT key FROM system_metadata ORDER BY key`)).map((row: { key: string }) => row.key);
    expect(keys).toEqual(['kept']);
  });

  it('refuses to run tests against a database whose name lacks "test"', () => {
    expect(() => assertTestDatabase('postgres://127.0.0.1:5432/production')).toThrow(/refusing/);
    expect(() => assertTestDatabase('postgres://127.0.0.1:5432/test_w1')).not.toThrow();
  });
});
