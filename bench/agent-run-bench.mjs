// In-process: what an agent run costs per model turn beyond the model's own latency. A loopback OpenAI-compatible
// server streams a calculator tool call for each of STEPS turns, then an answer, each after LATENCY_MS; the app runs
// the agent (mode wait, through HTTP inject, the real @langchain/openai client). Reported per turn: the run's time
// minus the model's latency, and, for reference, the same streamed calls made straight with ChatOpenAI (the client and
// loopback HTTP alone). Both are measured in steady state, after WARMUP_RUNS runs of each against a model that answers at
// once: two runs leave most of the path to V8's interpreter, and a server serves thousands. Prints one JSON line.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const STEPS = Number(process.env.BENCH_AGENT_STEPS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_AGENT_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 10);
const WARMUP_RUNS = Number(process.env.BENCH_AGENT_WARMUP_RUNS ?? 40);
/** The scripted model's latency: none while warming up, LATENCY_MS for the runs measured. */
let latencyMs = 0;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

process.env.LOG_LEVEL ??= 'warn';
process.env.DATABASE_URL ??= '';
process.env.REDIS_URL ??= '';
if (!process.env.DATABASE_URL) process.env.DATA_DIR = 'memory';
process.env.API_KEY = ADMIN_KEY;
process.env.RATE_LIMIT_MAX = '0';

/** Answers as OpenAI streams: a calculator call until the request carries STEPS tool results, then "Done.". */
function scriptedModel() {
  return createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const { model, messages } = JSON.parse(body);
    const answered = messages.filter((message) => message.role === 'tool').length;
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model };
    const chunk = (delta, finish = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
    // A fresh expression each time, so the calculator's result cache never answers for it.
    const call = { index: 0, id: `call_${answered}`, type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: `${answered} + ${Math.floor(Math.random() * 1e9)}` }) } };
    const chunks =
      answered < STEPS
        ? [chunk({ role: 'assistant', content: null, tool_calls: [call] }), chunk({}, 'tool_calls')]
        : [chunk({ role: 'assistant', content: 'Done.' }), chunk({}, 'stop')];
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const data of chunks) response.write(`data: ${JSON.stringify(data)}\n\n`);
    response.end('data: [DONE]\n\n');
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const turns = STEPS + 1;

const model = scriptedModel();
await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${model.address().port}/v1`;
process.env.OPENAI_BASE_URL = baseURL;
process.env.OPENAI_API_KEY = 'bench-not-a-key';

// The client alone: the same streamed turns, tool messages answered by hand.
const { ChatOpenAI } = await import('@langchain/openai');
const { HumanMessage, ToolMessage } = await import('@langchain/core/messages');
const client = new ChatOpenAI({ model: 'bench', apiKey: 'bench-not-a-key', configuration: { baseURL }, streamUsage: true }).bindTools([
  { type: 'function', function: { name: 'calculator', description: 'calculator', parameters: { type: 'object', properties: { expression: { type: 'string' } } } } },
]);
async function clientOnly() {
  const messages = [new HumanMessage('Count.')];
  for (;;) {
    let reply;
    for await (const chunk of await client.stream(messages)) reply = reply ? reply.concat(chunk) : chunk;
    messages.push(reply);
    if (!reply.tool_calls?.length) return;
    for (const call of reply.tool_calls) messages.push(new ToolMessage({ tool_call_id: call.id, content: '{"value":1}' }));
  }
}

const { createApp } = await import('../dist/apps/server/src/create-app.js');
const app = await createApp();
try {
  const inject = (method, url, payload) => app.inject({ method, url, payload, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const created = await inject('POST', '/agents', { name: `bench-${Date.now()}`, model: 'openai:bench', tools: ['calculator'], maxSteps: turns });
  if (created.statusCode !== 201) throw new Error(`creating the agent: ${created.statusCode} ${created.body}`);
  const agentId = created.json().id;
  const runOnce = async () => {
    const response = await inject('POST', `/agents/${agentId}/runs`, { input: 'Count.', mode: 'wait' });
    const run = response.json();
    if (response.statusCode !== 200 || run.status !== 'succeeded' || run.steps.length !== STEPS * 2 + 1) throw new Error(`run: ${response.statusCode} ${response.body.slice(0, 500)}`);
  };
  const timed = async (work) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };

  for (let i = 0; i < WARMUP_RUNS; i++) await runOnce(), await clientOnly();
  latencyMs = LATENCY_MS;
  const app_ = [];
  const reference = [];
  for (let i = 0; i < RUNS; i++) {
    app_.push(await timed(runOnce));
    reference.push(await timed(clientOnly));
  }
  const perTurn = (ms) => (ms - turns * LATENCY_MS) / turns;
  console.log(
    JSON.stringify({
      database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      redis: Boolean(process.env.REDIS_URL),
      steps: STEPS,
      latencyMs: LATENCY_MS,
      runMs: median(app_),
      overheadMsPerTurn: perTurn(median(app_)),
      // Per step as the run records them (each model turn and each tool call is a step): STEPS * 2 + 1.
      overheadMsPerStep: (median(app_) - turns * LATENCY_MS) / (STEPS * 2 + 1),
      clientOnlyMsPerTurn: perTurn(median(reference)),
    }),
  );
} finally {
  await app.close();
  model.closeAllConnections();
  model.close();
}
