import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The package's exports leave out its package.json; the dump's format is PGlite's, so its version names the file.
const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'));

/**
 * An empty PGlite cluster, dumped once per PGlite version: embedded test databases start from it (PGLITE_TEMPLATE)
 * instead of running initdb, which takes seconds per app a suite boots. The migrations still run on each.
 */
export const TEMPLATE_PATH = join(tmpdir(), `mcpa-pglite-${version}.tar`);

export async function ensureTemplate() {
  if (existsSync(TEMPLATE_PATH)) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  // Written aside and renamed, so a run that starts meanwhile never reads half a file.
  const partial = `${TEMPLATE_PATH}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, TEMPLATE_PATH);
}
