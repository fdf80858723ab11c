// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against the real server: built as
// production builds it, on embedded PGlite in memory, with the conformance fixtures and anonymous access on.
// Exits non-zero when any scenario fails. SKIP_BUILD=1 reuses dist/; CONFORMANCE_VERSION and CONFORMANCE_SUITE override.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// Pinned: a new suite release can add scenarios, and this run must mean the same thing until we move it on purpose.
const VERSION = process.env.CONFORMANCE_VERSION ?? '0.1.16';
const SUITE = process.env.CONFORMANCE_SUITE ?? 'all';
const BOOT_TIMEOUT_MS = 60_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilLive(url, server) {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server was not live at ${url} within ${BOOT_TIMEOUT_MS} ms`);
}

if (!process.env.SKIP_BUILD) {
  const build = spawnSync('npx', ['nest', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const port = await freePort();
const server = spawn(process.execPath, ['dist/apps/server/src/main.js'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    NODE_ENV: 'development',
    HOST: 'localhost',
    PORT: String(port),
    DATA_DIR: 'memory',
    DATABASE_URL: '',
    REDIS_URL: '',
    API_KEY: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    RATE_LIMIT_MAX: '0',
    MCP_ALLOW_ANONYMOUS: 'true',
    MCP_CONFORMANCE_FIXTURES: 'true',
  },
});

let status = 1;
try {
  await waitUntilLive(`http://127.0.0.1:${port}/health/live`, server);
  // The suite needs Node 22 or later; npx fetches it from the registry when this Node is older.
  const suite = spawnSync(
    'npx',
    ['-y', '-p', 'node@22', '-p', `@modelcontextprotocol/conformance@${VERSION}`, 'conformance', 'server', '--url', `http://localhost:${port}/mcp`, '--suite', SUITE],
    { stdio: 'inherit' },
  );
  status = suite.status ?? 1;
} catch (error) {
  process.stderr.write(`conformance: ${error.message}\n`);
} finally {
  server.kill('SIGTERM');
}
process.exit(status);
