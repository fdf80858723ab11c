import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureTemplate } from './pglite-template.mjs';

const run = promisify(execFile);

/**
 * Once per run, side by side: `nest build`, because process-level suites (signals, exit codes, `npm start`) and the
 * OpenAPI suite run the built server; and a type check of the apps, libs and tests, because jest compiles each file
 * on its own (transpile only: a type-checking compile per worker cost several seconds per test file); and the empty
 * PGlite cluster embedded databases start from.
 */
export default async function globalSetup() {
  if (process.env.SKIP_BUILD === '1') return ensureTemplate();
  const step = (command, args) =>
    run('npx', [command, ...args], { maxBuffer: 64 * 1024 * 1024 }).catch((error) => {
      throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout}${error.stderr}`);
    });
  await Promise.all([step('nest', ['build']), step('tsc', ['--noEmit', '-p', 'tsconfig.spec.json']), ensureTemplate()]);
}
