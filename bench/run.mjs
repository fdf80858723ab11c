// `npm run bench`: each case loads a reference request and a measured one, alternating, in one run, and the table
// gives req/s, latency and the ratio measured / reference. Numbers are for comparison within a run only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
// Rounds alternate reference and app, so drift in the machine's speed hits both; the median round is reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

// With two or more cores and taskset, each server's JavaScript thread gets the last core and the load generator the
// others, so the two don't take turns on one core and runs vary less. Only that thread is pinned: what a server runs
// beside it (V8's GC helpers, libuv's pool, worker threads such as the embedded database's) goes where the OS puts it,
// as it would in production, just as Postgres and Redis do for the app on them. The CPU column counts every thread.
const cores = availableParallelism();
const pinned = cores >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (pinned) spawnSync('taskset', ['-pc', `0-${cores - 2}`, String(process.pid)]);

const LISTENING = /listening on (http:\/\/[^\s]+)/;

/**
 * Starts a server process and resolves with its base URL once it logs its address: by default `listening on <url> `
 * on stdout; `ready` names another stream, pattern and how the match gives the URL.
 */
function startServer(name, args, env = {}, ready = { stream: 'stdout', pattern: LISTENING, url: (match) => match[1] }) {
  // Started on every core (the bench itself runs on the others); its main thread alone moves to the last one once it
  // is up (taskset has exec'd node by then, and the threads started on the way keep every core).
  const [command, argv] = pinned ? ['taskset', ['-c', `0-${cores - 1}`, process.execPath, ...args]] : [process.execPath, args];
  const onStderr = ready.stream === 'stderr';
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', onStderr ? 'pipe' : 'inherit'] });
  const source = child[ready.stream];
  // Output read by nobody is drained unread: scanning it would slow the load generator down.
  if (onStderr) child.stdout.resume();
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const match = ready.pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        if (pinned) spawnSync('taskset', ['-p', '-c', String(cores - 1), String(child.pid)]);
        source.off('data', onData);
        if (onStderr) source.pipe(process.stderr);
        else source.resume();
        resolve({
          name,
          url: ready.url(match),
          pid: child.pid,
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    };
    source.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}:\n${output}`)));
    process.once('exit', () => child.kill('SIGKILL'));
  });
}

/** A port free right now, for a server that can't be asked to pick one and tell (server-everything logs `port 0`). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The MCP reference server in its Streamable HTTP mode, on a port picked here: it logs the port it was given. */
async function startEverything() {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin['mcp-server-everything']);
  const port = await freePort();
  return startServer('everything', [bin, 'streamableHttp'], { PORT: String(port) }, {
    stream: 'stderr',
    pattern: /listening on port (\d+)/,
    url: (match) => `http://127.0.0.1:${match[1]}`,
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where there is no /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * req/s and latency, and the server's CPU time per request: on a busy machine a server gets less of its core and its
 * req/s drops, but what each request costs it barely moves, so the CPU ratio is the steadier of the two.
 * A request with `sessions` gets a session of its own per connection, opened before and closed after the clock runs;
 * one with `verify` has every response body checked, and a single bad one fails the bench.
 */
async function load(server, request, duration = DURATION) {
  const sessions = request.sessions && (await Promise.all(Array.from({ length: CONNECTIONS }, () => request.sessions.open())));
  let next = 0;
  let mismatch;
  const before = cpuSeconds(server.pid);
  const result = await autocannon({
    url: request.url,
    connections: CONNECTIONS,
    duration,
    ...request.options,
    ...(sessions && { setupClient: (client) => client.setHeaders(sessions[next++]) }),
    ...(request.verify && {
      verifyBody: (body) => {
        if (request.verify(body)) return true;
        mismatch ??= body;
        return false;
      },
    }),
  });
  const after = cpuSeconds(server.pid);
  if (sessions) await Promise.all(sessions.map((session) => request.sessions.close(session)));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${request.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  if (result.mismatches > 0) throw new Error(`${request.url}: ${result.mismatches} of ${result.requests.total} answers wrong, first:\n${mismatch}`);
  const cpuUs = before === undefined || after === undefined ? NaN : ((after - before) * 1e6) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Seconds of load a server gets the first time a case uses it, and before each case. */
const FIRST_WARMUP = Number(process.env.BENCH_FIRST_WARMUP ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const warmed = new Set();

/** The warm-up before a case: longer the first time a server serves this request, so V8 has compiled its hot path. */
async function warmUp({ server, request }) {
  const key = `${server.name} ${request.url} ${request.options?.headers?.['mcp-protocol-version'] ?? ''}`;
  await load(server, request, warmed.has(key) ? WARMUP : FIRST_WARMUP);
  warmed.add(key);
}

/**
 * Warms both up (JIT, connections), then alternates them for `rounds` rounds; medians of each measure. Every other
 * round the app goes first, so whatever favours the first or the second run of a pair (a machine warming up or
 * throttling) doesn't lean the ratio one way.
 */
async function compare(reference, app, rounds = ROUNDS) {
  await warmUp(reference);
  await warmUp(app);
  const base = [];
  const ours = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) base.push(await load(reference.server, reference.request));
    ours.push(await load(app.server, app.request));
    if (round % 2 === 1) base.push(await load(reference.server, reference.request));
  }
  const summary = (runs) => ({ rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), cpuUs: median(runs.map((r) => r.cpuUs)) });
  const ratio = median(base.map((run, index) => ours[index].rps / run.rps));
  const cpuRatio = median(base.map((run, index) => run.cpuUs / ours[index].cpuUs));
  return { base: summary(base), ours: summary(ours), ratio, cpuRatio };
}

const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

// MCP tools/call, as clients send it: the reference is server-everything's `echo` over Streamable HTTP with a session
// per connection (its only mode); ours is the calculator, authenticated and recorded, in each protocol generation.
const ECHO = { name: 'echo', arguments: { message: 'bench' }, answered: (result) => result.content?.[0]?.text === 'Echo: bench' };
const CALCULATOR = { name: 'calculator', arguments: { expression: '2 * (3 + 4)' }, answered: (result) => result.structuredContent?.value === 14 };
const EVERYTHING = { server: 'everything', path: '/mcp', mcp: { call: ECHO, session: true } };
const mcpCase = (name, server, session) => ({
  name,
  scaled: server === 'appScaled',
  reference: EVERYTHING,
  app: { server, path: '/mcp', authenticated: true, mcp: { call: CALCULATOR, session } },
});

/** Each case: a request against a reference server and one against the server measured, by name (see `servers`). */
const CASES = [
  { name: 'GET /health/live', reference: { server: 'fastify', path: '/health/live' }, app: { server: 'app', path: '/health/live' } },
  // Bare Nest on Fastify with the same route: shows how much of the gap is the framework and how much is ours.
  { name: 'GET /health/live (bare Nest)', reference: { server: 'fastify', path: '/health/live' }, app: { server: 'bareNest', path: '/health/live' } },
  // The floor for liveness inside Nest with the app's headers (security headers, X-Request-Id) and nothing else.
  { name: 'GET /health/live (Nest + headers floor)', reference: { server: 'fastify', path: '/health/live' }, app: { server: 'nestFloor', path: '/health/live' } },
  // What the metrics hook costs: the app's liveness with METRICS_ENABLED=false as the reference. A small difference
  // between two processes, so more rounds than the others.
  {
    name: 'GET /health/live, metrics on / off',
    reference: { server: 'appNoMetrics', path: '/health/live' },
    app: { server: 'app', path: '/health/live' },
    rounds: Math.max(ROUNDS, 7),
    maxCostPercent: 5,
  },
  // The cost of authentication (key lookup through the cache, rate limit, principal) against the app's own liveness.
  { name: 'GET /users/me / app liveness', reference: { server: 'app', path: '/health/live' }, app: { server: 'app', path: '/users/me', authenticated: true } },
  { name: 'GET /tools', reference: { server: 'fastify', path: '/tools' }, app: { server: 'app', path: '/tools', authenticated: true } },
  {
    name: 'POST /tools/calculator/invoke',
    reference: { server: 'fastify', path: '/health/live' },
    app: { server: 'app', path: '/tools/calculator/invoke', authenticated: true, method: 'POST', body: { arguments: { expression: '2 * (3 + 4)' } } },
  },
  { name: 'GET /tools (PG+Redis)', scaled: true, reference: { server: 'fastify', path: '/tools' }, app: { server: 'appScaled', path: '/tools', authenticated: true } },
  {
    name: 'POST invoke (PG+Redis)',
    scaled: true,
    reference: { server: 'fastify', path: '/health/live' },
    app: { server: 'appScaled', path: '/tools/calculator/invoke', authenticated: true, method: 'POST', body: { arguments: { expression: '2 * (3 + 4)' } } },
  },
  mcpCase('MCP tools/call calculator, sessionless (2026-07-28)', 'app', false),
  mcpCase('MCP tools/call calculator, session (2025-11-25)', 'app', true),
  mcpCase('MCP tools/call, sessionless (PG+Redis)', 'appScaled', false),
  mcpCase('MCP tools/call, session (PG+Redis)', 'appScaled', true),
];

// BENCH_CASES=users runs only the cases whose name contains one of the comma-separated words.
const only = process.env.BENCH_CASES?.split(',').filter(Boolean);
const selected = (only ? CASES.filter((benchCase) => only.some((word) => benchCase.name.includes(word))) : CASES).filter(
  (benchCase) => !benchCase.scaled || (process.env.BENCH_DATABASE_URL && process.env.BENCH_REDIS_URL),
);

/** The bench database and Redis db start empty, so the member the bench creates is new. */
async function emptyBenchStores(databaseUrl, redisUrl) {
  const { default: pg } = await import('pg');
  const admin = new URL(databaseUrl);
  const name = admin.pathname.slice(1);
  if (!/bench/.test(name)) throw new Error(`BENCH_DATABASE_URL must name a database with "bench" in its name (got ${name})`);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const { createClient } = await import('redis');
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  await redis.flushDb();
  await redis.quit();
}

/** A member and an API key of theirs, made through the API, for the authenticated cases. */
async function memberKey(url) {
  const post = async (path, body) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const user = await post('/users', { email: 'bench@example.com', name: 'Bench' });
  return (await post(`/users/${user.id}/api-keys`, { name: 'bench' })).key;
}

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const CLIENT_INFO = { name: 'mcp-bench', version: '1.0.0' };
const ACCEPT_MCP = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

/** The JSON-RPC response in a body sent as JSON or as SSE events (the first may be an empty priming event). */
function rpcResponse(body) {
  try {
    if (body.startsWith('{')) return JSON.parse(body);
    for (const line of body.split('\n')) {
      if (!line.startsWith('data: ') || line.length === 6) continue;
      const message = JSON.parse(line.slice(6));
      if ('result' in message || 'error' in message) return message;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A tools/call answered with the expected result, not a JSON-RPC error nor an `isError` result. */
const callSucceeded = (call) => (body) => {
  const result = rpcResponse(body)?.result;
  return result !== undefined && result.isError !== true && call.answered(result);
};

/**
 * Opens a 2025-era session the way an MCP client does — initialize, then notifications/initialized — and returns the
 * headers its later requests carry (the session id and the negotiated protocol version).
 */
async function openSession(url, headers) {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO } };
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
  const text = await response.text();
  const result = rpcResponse(text)?.result;
  const id = response.headers.get('mcp-session-id');
  if (!response.ok || !result || !id) throw new Error(`${url}: initialize answered ${response.status} ${text}`);
  const session = { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': result.protocolVersion };
  const initialized = await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  if (initialized.status !== 202) throw new Error(`${url}: notifications/initialized answered ${initialized.status} ${await initialized.text()}`);
  return session;
}

/** Ends a session with DELETE, as a client leaving does (without a Content-Type: the request has no body). */
async function closeSession(url, { 'content-type': _, ...headers }) {
  const response = await fetch(url, { method: 'DELETE', headers });
  if (!response.ok) throw new Error(`${url}: DELETE of session ${headers['mcp-session-id']} answered ${response.status} ${await response.text()}`);
}

/**
 * A tools/call request. Sessionless (2026-07-28), each request carries the protocol version, client info and
 * capabilities in `_meta` and names its method and tool in headers; in a session those came with initialize.
 * Every request gets an id of its own (autocannon's `[<id>]`): ids may not repeat within a session.
 */
function mcpRequest(url, headers, { call, session }) {
  const params = { name: call.name, arguments: call.arguments };
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const mcpHeaders = { ...ACCEPT_MCP, ...headers };
  return {
    url,
    options: {
      method: 'POST',
      idReplacement: true,
      body: JSON.stringify({ jsonrpc: '2.0', id: '[<id>]', method: 'tools/call', params: session ? params : { ...params, _meta: envelope } }),
      headers: session ? mcpHeaders : { ...mcpHeaders, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': call.name },
    },
    verify: callSucceeded(call),
    ...(session && { sessions: { open: () => openSession(url, mcpHeaders), close: (opened) => closeSession(url, opened) } }),
  };
}

// The app's command line as `npm run start:prod` (and the Docker image) runs it, V8 flags included.
const [, ...APP_ARGS] = JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'].split(' ');

const appEnv = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  API_KEY: BENCH_ADMIN_KEY,
  // The limiter still runs on every request; the budget is just out of the benchmark's reach.
  RATE_LIMIT_MAX: '1000000000',
};
// Embedded as `npm start` runs it: PGlite in a data directory of its own (a new one each run).
const dataDirs = [];
const embeddedDataDir = () => dataDirs[dataDirs.push(mkdtempSync(join(tmpdir(), 'bench-data-'))) - 1];
const app = await startServer('app', APP_ARGS, { ...appEnv, DATA_DIR: embeddedDataDir(), DATABASE_URL: '', REDIS_URL: '' });
// As it runs at scale: Postgres and Redis, when BENCH_DATABASE_URL and BENCH_REDIS_URL name them (emptied first).
const scaled = process.env.BENCH_DATABASE_URL && process.env.BENCH_REDIS_URL;
if (scaled) await emptyBenchStores(process.env.BENCH_DATABASE_URL, process.env.BENCH_REDIS_URL);
const appScaled = scaled
  ? await startServer('app-pg-redis', APP_ARGS, { ...appEnv, DATABASE_URL: process.env.BENCH_DATABASE_URL, REDIS_URL: process.env.BENCH_REDIS_URL })
  : undefined;
const key = await memberKey(app.url);
const scaledKey = appScaled && (await memberKey(appScaled.url));
// The reference serves the very page the app serves the member, so both serialize the same document.
const toolsPage = join(mkdtempSync(join(tmpdir(), 'bench-')), 'tools.json');
writeFileSync(toolsPage, await (await fetch(`${app.url}/tools`, { headers: { authorization: `Bearer ${key}` } })).text());
const servers = {
  fastify: await startServer('fastify', ['bench/baseline-server.mjs'], { BENCH_TOOLS_PAGE: toolsPage }),
  app,
  ...(appScaled && { appScaled }),
  bareNest: await startServer('bare-nest', ['bench/bare-nest-server.mjs']),
  nestFloor: await startServer('nest-floor', ['bench/nest-floor-server.mjs']),
  ...(selected.some((benchCase) => benchCase.reference.server === 'appNoMetrics') && {
    appNoMetrics: await startServer('app-no-metrics', APP_ARGS, { ...appEnv, DATA_DIR: embeddedDataDir(), DATABASE_URL: '', REDIS_URL: '', METRICS_ENABLED: 'false' }),
  }),
  ...(selected.some((benchCase) => benchCase.reference.server === 'everything') && { everything: await startEverything() }),
};

const rows = [];
try {
  const request = ({ server, path, authenticated, method = 'GET', body, mcp }) => {
    const url = servers[server].url + path;
    const auth = authenticated ? { authorization: `Bearer ${server === 'appScaled' ? scaledKey : key}` } : {};
    if (mcp) return { server: servers[server], request: mcpRequest(url, auth, mcp) };
    return {
      server: servers[server],
      request: {
        url,
        options: { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } },
      },
    };
  };
  for (const benchCase of selected) {
    const result = await compare(request(benchCase.reference), request(benchCase.app), benchCase.rounds);
    rows.push({ case: benchCase.name, referenceName: benchCase.reference.server, maxCostPercent: benchCase.maxCostPercent, ...result });
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

const pad = (value, width) => String(value).padStart(width);
const caseWidth = Math.max(30, ...rows.map((row) => row.case.length + 1));
console.log(
  `\n${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s per case (medians; 7 or more where a case has a cost budget), Node ${process.version}` +
    `${pinned ? `, servers' main threads pinned to core ${cores - 1}` : ''}\n`,
);
console.log(
  `${'case'.padEnd(caseWidth)}${pad('reference', 11)}${pad('req/s', 8)}${pad('p50', 6)}${pad('p99', 6)}${pad('µs CPU', 8)}` +
    `${pad('measured req/s', 16)}${pad('p50', 6)}${pad('p99', 6)}${pad('µs CPU', 8)}${pad('ratio', 9)}${pad('CPU ratio', 11)}`,
);
for (const { case: name, referenceName, base, ours, ratio, cpuRatio } of rows) {
  console.log(
    `${name.padEnd(caseWidth)}${pad(referenceName, 11)}${pad(Math.round(base.rps), 8)}${pad(base.p50, 6)}${pad(base.p99, 6)}${pad(Math.round(base.cpuUs), 8)}` +
      `${pad(Math.round(ours.rps), 16)}${pad(ours.p50, 6)}${pad(ours.p99, 6)}${pad(Math.round(ours.cpuUs), 8)}` +
      `${pad(`${(ratio * 100).toFixed(1)} %`, 9)}${pad(`${(cpuRatio * 100).toFixed(1)} %`, 11)}`,
  );
}

// Cases with a cost budget: what the measured side adds in CPU per request, judged against the budget, and its req/s
// for reference (on a busy machine req/s swings with whatever else takes the server's core; CPU per request doesn't).
for (const { case: name, ratio, cpuRatio, maxCostPercent } of rows.filter((row) => row.maxCostPercent !== undefined)) {
  const cost = (fraction) => `${((1 - fraction) * 100).toFixed(1)} %`;
  const met = 1 - cpuRatio < maxCostPercent / 100;
  console.log(`\n${name}: costs ${cost(cpuRatio)} of CPU per request, budget < ${maxCostPercent} %: ${met ? 'met' : 'NOT met'} (req/s: ${cost(ratio)})`);
}

/**
 * Runs an in-process bench script and returns its JSON result: the stdout line holding `key`. The app's log lines share
 * stdout and are buffered, so some arrive after the result, when the app closes.
 */
function benchScript(script, env, key) {
  const run = spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} failed:\n${run.stderr}`);
  const line = run.stdout.split('\n').findLast((text) => text.startsWith('{') && text.includes(`"${key}"`));
  if (!line) throw new Error(`${script} printed no result:\n${run.stdout}`);
  return JSON.parse(line);
}

// The history recorder: rows per second written through the batched recorder vs one INSERT per call, in one process
// on the embedded database, and on Postgres too when BENCH_DATABASE_URL names one.
const recorderRuns = [{ DATABASE_URL: '' }, ...(process.env.BENCH_DATABASE_URL ? [{ DATABASE_URL: process.env.BENCH_DATABASE_URL }] : [])];
console.log(`\n${'history recorder'.padEnd(caseWidth)}${pad('database', 11)}${pad('INSERT/call rows/s', 20)}${pad('batched rows/s', 16)}${pad('ratio', 9)}`);
for (const env of recorderRuns) {
  const { batched, single, database } = benchScript('bench/recorder-bench.mjs', env, 'batched');
  console.log(`${'record a tool invocation'.padEnd(caseWidth)}${pad(database, 11)}${pad(Math.round(single), 20)}${pad(Math.round(batched), 16)}${pad(`${(batched / single).toFixed(1)}x`, 9)}`);
}


// Agent runs: what a run costs beyond the model's latency (a scripted streaming model, 10 calculator turns and an
// answer at 50 ms each): per step as the run records them (model turns and tool calls: the issue's unit, target under
// 5 ms a step), per model turn (its tool call included), and what the OpenAI client alone costs per turn.
console.log(
  `\n${'agent run overhead'.padEnd(caseWidth)}${pad('database', 11)}${pad('ms/step', 9)}${pad('ms/turn', 10)}${pad('client ms/turn', 16)}${pad('ours ms/turn', 14)}${pad('run ms', 9)}`,
);
for (const env of recorderRuns) {
  const agentEnv = { ...env, REDIS_URL: env.DATABASE_URL ? (process.env.BENCH_REDIS_URL ?? '') : '' };
  const { database, steps, overheadMsPerStep, overheadMsPerTurn, clientOnlyMsPerTurn, runMs } = benchScript('bench/agent-run-bench.mjs', agentEnv, 'overheadMsPerStep');
  const ours = overheadMsPerTurn - clientOnlyMsPerTurn;
  console.log(
    `${`${steps} tool turns + answer`.padEnd(caseWidth)}${pad(database, 11)}${pad(overheadMsPerStep.toFixed(1), 9)}${pad(overheadMsPerTurn.toFixed(1), 10)}` +
      `${pad(clientOnlyMsPerTurn.toFixed(1), 16)}` +
      `${pad(ours.toFixed(1), 14)}${pad(Math.round(runMs), 9)}`,
  );
}
