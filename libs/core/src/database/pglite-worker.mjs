// The embedded database's own thread: one PGlite, run by messages from the pool in pglite-driver.ts. Plain JavaScript
// so the same file runs from the sources (tests) and from dist (the build copies it).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';

/** @type {{ dataDir?: string, loadDataDir?: Blob }} */
const { dataDir, loadDataDir } = workerData;

const database = PGlite.create({
  dataDir,
  loadDataDir,
  extensions: { uuid_ossp },
  // fsync is already off in PGlite (-F): full-page images would guard against torn pages that only an OS crash makes,
  // which fsync off doesn't survive anyway, and zero-filling a new WAL segment ahead of use buys nothing either.
  startParams: [...PGlite.defaultStartParams, '-c', 'full_page_writes=off', '-c', 'wal_init_zero=off'],
});
// A failed start is answered to each request; this keeps it from also being an unhandled rejection.
database.catch(() => undefined);

/** `exec` runs a string of statements (the pool sends those without parameters) and answers with the last, as pg does. */
async function run(db, { op, text, values }) {
  if (op === 'close') return db.close();
  if (op === 'query') return db.query(text, values);
  const results = await db.exec(text);
  return results[results.length - 1] ?? { rows: [], fields: [], rowCount: 0 };
}

/** An error as plain data: its message and every field the database set (code, detail, constraint, …). */
function describe(error) {
  return { ...error, name: error.name, message: error.message };
}

parentPort.on('message', async (request) => {
  let answer;
  try {
    answer = { id: request.id, result: await run(await database, request) };
  } catch (error) {
    answer = { id: request.id, error: describe(error) };
  }
  try {
    parentPort.postMessage(answer);
  } catch (error) {
    // A value the thread boundary can't carry: the request fails with why, rather than never being answered.
    parentPort.postMessage({ id: request.id, error: { name: 'Error', message: `embedded database answer not transferable: ${error.message}` } });
  }
});
