import { execFileSync } from 'node:child_process';

/** Process-level suites (signals, exit codes, `npm start`) run the built server, so build it once per run. */
export default function globalSetup() {
  if (process.env.SKIP_BUILD === '1') return;
  execFileSync('npx', ['nest', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
