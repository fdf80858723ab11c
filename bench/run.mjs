// `npm run bench`: each case runs against the reference server and the app, one after the other in one run,
// and the table gives req/s, latency and the ratio app / reference. Numbers are for comparison within a run only.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
// Rounds alternate reference and app, so drift in the machine's speed hits both; the median round is reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

// With two or more cores and taskset, servers get the last core and the load generator the others, so the two
// don't take turns on one core and runs vary less.
const cores = availableParallelism();
const pinned = cores >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (pinned) spawnSync('taskset', ['-pc', `0-${cores - 2}`, String(process.pid)]);

/** Starts a server process and resolves with its base URL once it logs `listening on <url> `. */
function startServer(name, args, env = {}) {
  const [command, argv] = pinned ? ['taskset', ['-c', String(cores - 1), process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({
          name,
          url: match[1],
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}:\n${output}`)));
    process.once('exit', () => child.kill('SIGKILL'));
  });
}

async function load(url, request) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...request });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Warms both up (JIT, connections), then alternates them for ROUNDS rounds; medians of each measure. */
async function compare(referenceUrl, referenceRequest, appUrl, appRequest) {
  await autocannon({ url: referenceUrl, connections: CONNECTIONS, duration: 1, ...referenceRequest });
  await autocannon({ url: appUrl, connections: CONNECTIONS, duration: 1, ...appRequest });
  const base = [];
  const ours = [];
  for (let round = 0; round < ROUNDS; round++) {
    base.push(await load(referenceUrl, referenceRequest));
    ours.push(await load(appUrl, appRequest));
  }
  const summary = (runs) => ({ rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)) });
  const ratios = base.map((run, index) => ours[index].rps / run.rps);
  return { base: summary(base), ours: summary(ours), ratio: median(ratios) };
}

/** Each case: a request against the reference and the same (or the equivalent) request against the app. */
const CASES = [
  { name: 'GET /health/live', reference: { path: '/health/live' }, app: { path: '/health/live' } },
  // Bare Nest on Fastify with the same route: shows how much of the gap is the framework and how much is ours.
  { name: 'GET /health/live (bare Nest)', reference: { path: '/health/live' }, app: { path: '/health/live', bareNest: true } },
];

const reference = await startServer('fastify', ['bench/baseline-server.mjs']);
const app = await startServer('app', ['dist/apps/server/src/main.js'], {
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: 'memory',
  DATABASE_URL: '',
  REDIS_URL: '',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
});

const bareNest = await startServer('bare-nest', ['bench/bare-nest-server.mjs']);
const rows = [];
try {
  for (const benchCase of CASES) {
    const result = await compare(reference.url + benchCase.reference.path, benchCase.reference, (benchCase.app.bareNest ? bareNest.url : app.url) + benchCase.app.path, benchCase.app);
    rows.push({ case: benchCase.name, ...result });
  }
} finally {
  await Promise.all([reference.stop(), app.stop(), bareNest.stop()]);
}

const pad = (value, width) => String(value).padStart(width);
console.log(
  `\n${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s per case (medians), Node ${process.version}` +
    `${pinned ? `, servers pinned to core ${cores - 1}` : ''}\n`,
);
console.log(`${'case'.padEnd(28)}${pad('fastify req/s', 14)}${pad('p50', 6)}${pad('p99', 6)}${pad('app req/s', 12)}${pad('p50', 6)}${pad('p99', 6)}${pad('app/fastify', 13)}`);
for (const { case: name, base, ours, ratio } of rows) {
  console.log(
    `${name.padEnd(28)}${pad(Math.round(base.rps), 14)}${pad(base.p50, 6)}${pad(base.p99, 6)}` +
      `${pad(Math.round(ours.rps), 12)}${pad(ours.p50, 6)}${pad(ours.p99, 6)}${pad(`${(ratio * 100).toFixed(1)} %`, 13)}`,
  );
}
