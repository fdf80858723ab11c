import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ActiveRuns, AgentRun, RunSweeper } from '@app/agents';
import { hydrate } from '@app/core';
import { BuiltinToolHandler } from '@app/tools';
import { ScriptedOpenAiServer } from './support/scripted-openai-server.js';
import { allEvents, sseEvents, type SseEvent } from './support/sse.js';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser, type TestUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

const OPENAI_KEY = 'sk-test-scripted-runs-0123456789';
const METRICS_TOKEN = 'metrics-token-agent-runs-5d1e';

interface Instance {
  app: NestFastifyApplication;
  url: string;
}

async function startInstance(openai: ScriptedOpenAiServer, env: Record<string, string | undefined> = {}): Promise<Instance> {
  const app = await createTestApp({
    env: {
      API_KEY: ADMIN_KEY,
      RATE_LIMIT_MAX: '0',
      METRICS_TOKEN,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: undefined,
      OLLAMA_BASE_URL: undefined,
      LLM_TIMEOUT_MS: '10000',
      LLM_MAX_RETRIES: '0',
      ...env,
    },
  });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

/** A request to an instance over real HTTP, as clients make them (SSE needs a live connection). */
function api(instance: Instance, method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(instance.url + path, {
    method,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
}

async function json(response: Response, status: number) {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  return text ? JSON.parse(text) : undefined;
}

/** The value of one Prometheus sample matched by name and labels, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return 0;
}

/** Empty tables and script, a member (Ada) and an agent on the scripted model: what each test starts from. */
async function freshStart(openai: ScriptedOpenAiServer, instance: Instance, agent: Record<string, unknown>) {
  openai.reset();
  await resetState(instance.app);
  await instance.app.get(BuiltinToolHandler).onApplicationBootstrap();
  const ada = await createUser(instance.app);
  const created = await json(await api(instance, 'POST', '/agents', ADMIN_KEY, { model: 'openai:gpt-4o-mini', timeoutMs: 20_000, ...agent }), 201);
  return { ada, agentId: created.id as string };
}

const types = (events: SseEvent[]) => events.map((event) => event.event);
/** Runs of one event type collapsed to one, to compare event orders whatever the number of deltas. */
const collapsed = (events: SseEvent[]) => types(events).filter((type, index, all) => type !== all[index - 1]);

describe('agent runs: stream, background, events, cancel, one run per conversation', () => {
  const openai = new ScriptedOpenAiServer();
  let a: Instance;
  let ada: TestUser;
  let agentId: string;

  const runs = (instance: Instance, key: string, body: Record<string, unknown>, signal?: AbortSignal) => api(instance, 'POST', `/agents/${agentId}/runs`, key, body, {}, signal);
  const getRun = async (instance: Instance, id: string, key = ada.key) => json(await api(instance, 'GET', `/runs/${id}`, key), 200);
  const scrape = async () => (await api(a, 'GET', '/metrics', METRICS_TOKEN)).text();

  beforeAll(async () => {
    await openai.start();
    a = await startInstance(openai);
  });
  afterAll(async () => {
    await a?.app.close();
    await openai.close();
  });
  beforeEach(async () => {
    ({ ada, agentId } = await freshStart(openai, a, { name: 'calc', tools: ['calculator'] }));
  });

  it('streams run.started, the tool events, the answer as deltas and run.completed, with increasing ids; counts the run and its tokens', async () => {
    const metricsBefore = await scrape();
    openai.callTools([{ id: 'call_1', name: 'calculator', arguments: { expression: '6 * 7' } }], { prompt: 100, completion: 20 }).answer('The answer is 42, as computed.', { prompt: 150, completion: 9 });

    const response = await runs(a, ada.key, { input: 'What is 6 * 7?', mode: 'stream' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
    const events = await allEvents(response);
    expect(collapsed(events)).toEqual(['run.started', 'tool.started', 'tool.finished', 'message.delta', 'run.completed']);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    const runId = location.split('/')[2];
    expect(events.every((event) => event.data.type === event.event && event.data.runId === runId)).toBe(true);
    expect(events[0].data).toMatchObject({ input: 'What is 6 * 7?' });
    expect(events[1].data).toMatchObject({ turn: 1, callId: 'call_1', name: 'calculator', arguments: { expression: '6 * 7' } });
    expect(events[2].data.step).toMatchObject({ type: 'tool', name: 'calculator', result: { value: 42 }, isError: false });
    const deltas = events.filter((event) => event.event === 'message.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => event.data.delta).join('')).toBe('The answer is 42, as computed.');
    expect(events.at(-1)!.data).toEqual({ type: 'run.completed', runId, output: 'The answer is 42, as computed.', usage: { inputTokens: 250, outputTokens: 29, totalTokens: 279 } });
    expect(await getRun(a, runId)).toMatchObject({ status: 'succeeded', mode: 'stream', output: 'The answer is 42, as computed.', usage: { totalTokens: 279 } });
    // The real OpenAI client streamed, and asked for the usage in the stream.
    expect(openai.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    // Re-joined later, from the start or after an id: the same events, the same ids.
    expect(await allEvents(await api(a, 'GET', `/runs/${runId}/events`, ada.key))).toEqual(events);
    expect(await allEvents(await api(a, 'GET', `/runs/${runId}/events`, ada.key, undefined, { 'last-event-id': '2' }))).toEqual(events.slice(2));
    const refused = await json(await api(a, 'GET', `/runs/${runId}/events`, ada.key, undefined, { 'last-event-id': 'abc' }), 400);
    expect(refused.code).toBe('LAST_EVENT_ID_INVALID');

    const metrics = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(metrics, name, labels) - sample(metricsBefore, name, labels);
    expect(delta('mcpa_agent_runs_total', { agent: 'calc', status: 'succeeded' })).toBe(1);
    expect(delta('mcpa_llm_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', direction: 'input' })).toBe(250);
    expect(delta('mcpa_llm_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', direction: 'output' })).toBe(29);
  });

  it('keeps a run going when its stream client disconnects; the client resumes with Last-Event-ID', async () => {
    openai.latencyMs = 400;
    openai.callTools([{ id: 'call_1', name: 'calculator', arguments: { expression: '2 + 2' } }]).answer('Four.');
    const client = new AbortController();
    const response = await runs(a, ada.key, { input: '2 + 2?', mode: 'stream' }, client.signal);
    const runId = response.headers.get('location')!.split('/')[2];
    const seen: SseEvent[] = [];
    for await (const event of sseEvents(response)) {
      seen.push(event);
      if (event.event === 'tool.finished') break;
    }
    client.abort();
    expect(types(seen)).toEqual(['run.started', 'tool.started', 'tool.finished']);
    // The second model call is still on its way when the client has gone.
    expect((await getRun(a, runId)).status).toBe('running');

    const rest = await allEvents(await api(a, 'GET', `/runs/${runId}/events`, ada.key, undefined, { 'last-event-id': String(seen.at(-1)!.id) }));
    expect(collapsed(rest)).toEqual(['message.delta', 'run.completed']);
    expect(rest[0].id).toBe(seen.at(-1)!.id + 1);
    expect(await getRun(a, runId)).toMatchObject({ status: 'succeeded', output: 'Four.' });
    // A client that saw the last event and comes back gets nothing more.
    expect(await allEvents(await api(a, 'GET', `/runs/${runId}/events`, ada.key, undefined, { 'last-event-id': String(rest.at(-1)!.id) }))).toEqual([]);
  });

  it('starts a background run with 202 and its Location, and follows it live on /runs/{id}/events', async () => {
    openai.latencyMs = 200;
    openai.answer('Done in the background.');
    const response = await runs(a, ada.key, { input: 'go', mode: 'background' });
    const run = await json(response, 202);
    expect(response.headers.get('location')).toBe(`/runs/${run.id}`);
    expect(run).toMatchObject({ status: 'running', mode: 'background', output: null });

    const events = await allEvents(await api(a, 'GET', `/runs/${run.id}/events`, ada.key));
    expect(collapsed(events)).toEqual(['run.started', 'message.delta', 'run.completed']);
    // The run as admitted (read from its INSERT's RETURNING) is the run as stored.
    const { id, agentId: agent, agentVersion, conversationId, mode, input, createdAt } = run;
    expect(await getRun(a, run.id)).toMatchObject({ id, agentId: agent, agentVersion, conversationId, mode, input, createdAt, status: 'succeeded', output: 'Done in the background.' });

    // Every column of a returned row converts as TypeORM's own select converts it (jsonb steps, timestamps, nulls), and
    // the one column a run never selects (the waiting caller's copy) stays out.
    const dataSource = a.app.get(DataSource);
    const [row] = await dataSource.query(`SELECT * FROM agent_runs WHERE id = $1`, [run.id]);
    expect('principal' in row).toBe(true);
    expect(hydrate(dataSource, AgentRun, row)).toEqual(await dataSource.getRepository(AgentRun).findOneByOrFail({ id: run.id }));
  });

  it('refuses a second run in a busy conversation with 409, and with multitask enqueue runs it after the first', async () => {
    openai.latencyMs = 300;
    openai.answer('First.').answer('Second.').answer('Third.');
    const first = await json(await runs(a, ada.key, { input: 'one', mode: 'background' }), 202);
    const conversationId = first.conversationId;

    const busy = await json(await runs(a, ada.key, { input: 'two', conversationId, mode: 'background' }), 409);
    expect(busy).toMatchObject({ code: 'CONVERSATION_BUSY', status: 409 });
    // Asked for a stream, a refusal is still a problem, not an event stream.
    const busyStream = await runs(a, ada.key, { input: 'two', conversationId, mode: 'stream' });
    expect([busyStream.status, busyStream.headers.get('content-type')]).toEqual([409, expect.stringMatching(/^application\/problem\+json/)]);
    expect((await busyStream.json()).code).toBe('CONVERSATION_BUSY');
    const queued = await json(await runs(a, ada.key, { input: 'two', conversationId, mode: 'background', multitask: 'enqueue' }), 202);
    expect(queued.status).toBe('queued');
    // Waits behind both, and answers the finished run.
    const third = await json(await runs(a, ada.key, { input: 'three', conversationId, mode: 'wait', multitask: 'enqueue' }), 200);
    expect(third).toMatchObject({ status: 'succeeded', output: 'Third.' });

    const [one, two] = [await getRun(a, first.id), await getRun(a, queued.id)];
    expect([one.status, two.status]).toEqual(['succeeded', 'succeeded']);
    expect(one.finishedAt <= two.startedAt && two.finishedAt <= third.startedAt).toBe(true);
    // Each run saw the conversation as the ones before it left it.
    expect(openai.requests[2].body.messages.map((message) => message.content)).toEqual(['one', 'First.', 'two', 'Second.', 'three']);
    // The copy of the caller a queued run waits with is gone once it has started.
    const [{ count, waiting }] = await a.app.get(DataSource).query(`SELECT count(*)::int AS count, count(principal)::int AS waiting FROM agent_runs`);
    expect([count, waiting]).toEqual([3, 0]);
  });

  it('cancels a queued run at once and a running one through its holder; a finished run is 409', async () => {
    openai.hang();
    const running = await json(await runs(a, ada.key, { input: 'wait forever', mode: 'background' }), 202);
    const queued = await json(await runs(a, ada.key, { input: 'later', conversationId: running.conversationId, mode: 'background', multitask: 'enqueue' }), 202);
    await waitFor(async () => openai.requests.length === 1);

    const cancelledQueued = await json(await api(a, 'POST', `/runs/${queued.id}/cancel`, ada.key), 200);
    expect(cancelledQueued).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    expect(await allEvents(await api(a, 'GET', `/runs/${queued.id}/events`, ada.key))).toEqual([
      { id: 1, event: 'run.failed', data: { type: 'run.failed', runId: queued.id, status: 'cancelled', code: 'RUN_CANCELLED', message: 'The run was cancelled.', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } } },
    ]);

    const cancelled = await json(await api(a, 'POST', `/runs/${running.id}/cancel`, ada.key), 200);
    expect(cancelled).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    expect(types(await allEvents(await api(a, 'GET', `/runs/${running.id}/events`, ada.key)))).toEqual(['run.started', 'run.failed']);
    const again = await json(await api(a, 'POST', `/runs/${running.id}/cancel`, ada.key), 409);
    expect(again).toMatchObject({ code: 'RUN_ALREADY_FINISHED' });
    // Nothing queued was left to start after the cancelled run.
    expect(openai.requests).toHaveLength(1);
  });

  it('stops a run at its next heartbeat when the cancel message never reached its holder', async () => {
    openai.hang();
    const run = await json(await runs(a, ada.key, { input: 'wait', mode: 'background' }), 202);
    await waitFor(async () => openai.requests.length === 1);
    // As a cancel from another instance leaves it when its bus message is lost.
    await a.app.get(DataSource).query(`UPDATE agent_runs SET cancel_requested_at = now() WHERE id = $1`, [run.id]);
    await a.app.get(ActiveRuns).heartbeat();
    await waitFor(async () => (await getRun(a, run.id)).status === 'cancelled');
    expect(await getRun(a, run.id)).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
  });

  it("answers 404 for another user's run on GET, events and cancel; admins see it", async () => {
    openai.hang();
    const bob = await createUser(a.app);
    const run = await json(await runs(a, ada.key, { input: 'mine', mode: 'background' }), 202);
    for (const [method, path] of [['GET', `/runs/${run.id}`], ['GET', `/runs/${run.id}/events`], ['POST', `/runs/${run.id}/cancel`]]) {
      const refused = await json(await api(a, method, path, bob.key), 404);
      expect(refused.code).toBe('RUN_NOT_FOUND');
    }
    expect((await getRun(a, run.id)).status).toBe('running');
    expect(await json(await api(a, 'POST', `/runs/${run.id}/cancel`, ADMIN_KEY), 200)).toMatchObject({ status: 'cancelled' });
  });

  it('fails a running run whose instance stopped marking it alive, and starts the run queued behind it', async () => {
    openai.answer('Picked up.');
    const dataSource = a.app.get(DataSource);
    const conversation = await json(await api(a, 'POST', '/conversations', ada.key, { title: 'orphaned' }), 201);
    const [{ id: staleId }] = await dataSource.query(
      `INSERT INTO agent_runs (agent_id, agent_name, agent_version, user_id, conversation_id, status, mode, input, instance_id, heartbeat_at, started_at)
       VALUES ($1, 'calc', 1, $2, $3, 'running', 'background', 'lost', 'an-instance-that-died', now() - interval '1 hour', now() - interval '1 hour') RETURNING id`,
      [agentId, ada.id, conversation.id],
    );
    const queued = await json(await runs(a, ada.key, { input: 'next', conversationId: conversation.id, mode: 'background', multitask: 'enqueue' }), 202);
    expect(queued.status).toBe('queued');
    const before = await scrape();

    expect(await a.app.get(RunSweeper).sweep()).toEqual({ lost: 1, restarted: 1 });

    expect(await getRun(a, staleId)).toMatchObject({ status: 'failed', errorCode: 'INSTANCE_LOST' });
    expect(sample(await scrape(), 'mcpa_agent_runs_total', { agent: 'calc', status: 'failed' }) - sample(before, 'mcpa_agent_runs_total', { agent: 'calc', status: 'failed' })).toBe(1);
    // Its events were never logged here: the stream ends with the failure as the row tells it.
    const events = await allEvents(await api(a, 'GET', `/runs/${staleId}/events`, ada.key));
    expect(events).toEqual([{ id: 1, event: 'run.failed', data: expect.objectContaining({ status: 'failed', code: 'INSTANCE_LOST' }) }]);
    await waitFor(async () => (await getRun(a, queued.id)).status === 'succeeded');
    expect((await getRun(a, queued.id)).output).toBe('Picked up.');
  });
});

// Two instances share state only through Postgres and Redis; the embedded mode is one instance by definition.
(onPostgres ? describe : describe.skip)('agent runs across two instances', () => {
  const openai = new ScriptedOpenAiServer();
  let a: Instance;
  let b: Instance;
  let ada: TestUser;
  let agentId: string;

  beforeAll(async () => {
    await openai.start();
    a = await startInstance(openai);
    b = await startInstance(openai);
  });
  afterAll(async () => {
    await Promise.all([a?.app.close(), b?.app.close()]);
    await openai.close();
  });
  beforeEach(async () => {
    ({ ada, agentId } = await freshStart(openai, a, { name: 'remote' }));
  });

  it('follows a run held by A live from B, and cancels it from B', async () => {
    openai.answer('Warming up').hang();
    const first = await json(await api(a, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'one', mode: 'background' }), 202);
    const fromB = await allEvents(await api(b, 'GET', `/runs/${first.id}/events`, ada.key));
    expect(collapsed(fromB)).toEqual(['run.started', 'message.delta', 'run.completed']);

    const run = await json(await api(a, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'two', conversationId: first.conversationId, mode: 'background' }), 202);
    await waitFor(async () => openai.requests.length === 2);
    const following = api(b, 'GET', `/runs/${run.id}/events`, ada.key).then(allEvents);

    const cancelled = await api(b, 'POST', `/runs/${run.id}/cancel`, ada.key);
    expect([200, 202]).toContain(cancelled.status);
    await waitFor(async () => (await json(await api(b, 'GET', `/runs/${run.id}`, ada.key), 200)).status === 'cancelled');
    expect(await json(await api(a, 'GET', `/runs/${run.id}`, ada.key), 200)).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    const events = await following;
    expect(types(events)).toEqual(['run.started', 'run.failed']);
    expect(events[1].data).toMatchObject({ status: 'cancelled', code: 'RUN_CANCELLED' });
    expect(await json(await api(b, 'POST', `/runs/${run.id}/cancel`, ada.key), 409)).toMatchObject({ code: 'RUN_ALREADY_FINISHED' });
  });

  it('admits one run per conversation across instances: the other instance answers 409', async () => {
    openai.hang();
    const run = await json(await api(a, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'one', mode: 'background' }), 202);
    const busy = await json(await api(b, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'two', conversationId: run.conversationId, mode: 'background' }), 409);
    expect(busy.code).toBe('CONVERSATION_BUSY');
    await json(await api(b, 'POST', `/runs/${run.id}/cancel`, ada.key), 200);
  });

  it('leaves no run running when an instance stops gracefully: it fails as RUN_INTERRUPTED, its stream told so', async () => {
    const c = await startInstance(openai, { SHUTDOWN_TIMEOUT_MS: '2000' });
    openai.hang();
    const stream = await api(c, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'long', mode: 'stream' });
    const runId = stream.headers.get('location')!.split('/')[2];
    const events = allEvents(stream);
    await waitFor(async () => openai.requests.length === 1);

    const closed = c.app.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await json(await api(c, 'POST', `/agents/${agentId}/runs`, ada.key, { input: 'another', mode: 'background' }), 503);
    expect(refused).toMatchObject({ code: 'SERVER_STOPPING' });
    await closed;

    expect(await json(await api(a, 'GET', `/runs/${runId}`, ada.key), 200)).toMatchObject({ status: 'failed', errorCode: 'RUN_INTERRUPTED' });
    expect((await events).map((event) => [event.event, event.data.code])).toEqual([['run.started', undefined], ['run.failed', 'RUN_INTERRUPTED']]);
  });
});
