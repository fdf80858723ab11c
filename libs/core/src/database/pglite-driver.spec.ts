import { DataSource, QueryFailedError } from 'typeorm';
import { pgliteDriver } from './pglite-driver.js';
import { isUniqueViolation } from './unique-violation.js';

/** The embedded driver as TypeORM uses it: a real PGlite in memory, on its worker thread. */
describe('pgliteDriver', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'postgres', driver: pgliteDriver({}), installExtensions: false }).initialize();
    await dataSource.query(`CREATE TABLE notes (id integer PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL)`);
  });
  afterAll(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  it('runs parameterized statements and hands rows back with their types (json, timestamps)', async () => {
    const at = new Date('2026-12-07T10:00:00.000Z');
    await dataSource.query(`INSERT INTO notes (id, body, at) SELECT * FROM unnest($1::integer[], $2::jsonb[], $3::timestamptz[])`, [
      [1, 2],
      [JSON.stringify({ text: 'one' }), JSON.stringify({ text: 'two' })],
      [at.toISOString(), at.toISOString()],
    ]);
    const rows = await dataSource.query(`SELECT id, body, at FROM notes WHERE id = $1`, [2]);
    expect(rows).toEqual([{ id: 2, body: { text: 'two' }, at }]);
  });

  it('answers a string of several statements with the last one, as pg does', async () => {
    const rows = await dataSource.query(`SELECT 1 AS first; SELECT 2 AS second`);
    expect(rows).toEqual([{ second: 2 }]);
  });

  it('fails a statement with the database error and its fields (a unique violation stays recognisable)', async () => {
    const error = await dataSource.query(`INSERT INTO notes (id, body, at) VALUES ($1, '{}', now())`, [1]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(error)).toBe(true);
    expect((error as QueryFailedError & { driverError: { constraint?: string } }).driverError.constraint).toBe('notes_pkey');
  });

  it('keeps a transaction to itself: a statement from outside waits until it ends', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`INSERT INTO notes (id, body, at) VALUES (10, '{}', now())`);
    let outsideDone = false;
    const outside = dataSource.query(`SELECT count(*)::int AS n FROM notes WHERE id = 10`).then((rows: Array<{ n: number }>) => {
      outsideDone = true;
      return rows[0].n;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false);
    await runner.rollbackTransaction();
    await runner.release();
    await expect(outside).resolves.toBe(0);
  });

  it('fails statements once closed, rather than leaving them waiting', async () => {
    const driver = pgliteDriver({});
    const pool = new driver.Pool();
    await new Promise<void>((resolve, reject) => pool.end((error) => (error ? reject(error) : resolve())));
    const answer = await new Promise<Error | null>((resolve) =>
      pool.connect((error, client, release) => {
        if (error || !client) return resolve(error);
        client.query('SELECT 1').then(
          () => resolve(null),
          (failure: Error) => {
            release();
            resolve(failure);
          },
        );
      }),
    );
    expect(answer?.message).toMatch(/closed/);
  });
});
