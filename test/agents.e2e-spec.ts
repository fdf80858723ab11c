import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { BuiltinToolHandler } from '@app/tools';
import { ScriptedOpenAiServer } from './support/scripted-openai-server.js';
import { createTestApp, resetState } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser, type TestUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function expectStatus(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.body ? response.json() : undefined;
}

const OPENAI_KEY = 'sk-test-scripted-0123456789';
/**
 * A model call times out after this; the agent in the hang test times out sooner, the one in the provider-timeout test
 * later. It must outlast a 500, its one retry and the SDK's backoff on a busy machine (1500 ms now and then did not).
 */
const LLM_TIMEOUT_MS = 4000;

describe('agents', () => {
  const openai = new ScriptedOpenAiServer();
  let application: NestFastifyApplication;
  const app = () => application;
  const call = (method: string, url: string, key: string, payload?: unknown) =>
    app().inject({ method: method as 'GET', url, headers: bearer(key), payload: payload as object });

  beforeAll(async () => {
    await openai.start();
    // Anthropic and Ollama stay unconfigured: agents on them are the "no provider" case.
    application = await createTestApp({
      env: {
        API_KEY: ADMIN_KEY,
        RATE_LIMIT_MAX: '0',
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: undefined,
        OLLAMA_BASE_URL: undefined,
        LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
        LLM_MAX_RETRIES: '1',
      },
    });
  });
  afterAll(async () => {
    await application?.close();
    await openai.close();
  });
  beforeEach(async () => {
    openai.reset();
    await resetState(app());
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  const createAgent = async (payload: Record<string, unknown>) =>
    expectStatus(await call('POST', '/agents', ADMIN_KEY, { model: 'openai:gpt-4o-mini', ...payload }), 201);
  const runAgent = async (agentId: string, key: string, payload: Record<string, unknown>) =>
    expectStatus(await call('POST', `/agents/${agentId}/runs`, key, { mode: 'wait', ...payload }), 200);
  const messagesOf = async (conversationId: string, key: string) =>
    expectStatus(await call('GET', `/conversations/${conversationId}/messages`, key), 200).items;
  const count = async (table: string) => (await app().get(DataSource).query(`SELECT count(*)::int AS count FROM ${table}`))[0].count;

  describe('definitions', () => {
    it('creates, reads, pages, changes and deletes agents; only admins write them', async () => {
      const member = await createUser(app());
      const created = await createAgent({ name: 'researcher', systemPrompt: 'Be brief.', tools: ['calculator', 'date*'], modelParameters: { temperature: 0.2, maxTokens: 500 } });
      expect(created).toMatchObject({ name: 'researcher', kind: 'single', members: [], maxSteps: 10, timeoutMs: 120000, version: 1, tools: ['calculator', 'date*'], modelParameters: { temperature: 0.2, maxTokens: 500 } });
      await createAgent({ name: 'writer' });

      const page = expectStatus(await call('GET', '/agents?limit=1', member.key), 200);
      expect(page.items.map((agent: { name: string }) => agent.name)).toEqual(['writer']);
      const next = expectStatus(await call('GET', `/agents?limit=1&cursor=${page.nextCursor}`, member.key), 200);
      expect(next).toMatchObject({ items: [{ name: 'researcher' }], nextCursor: null });
      expect(expectStatus(await call('GET', '/agents?q=RESEARCH', member.key), 200).items).toHaveLength(1);
      expect(expectStatus(await call('GET', `/agents/${created.id}`, member.key), 200).systemPrompt).toBe('Be brief.');

      const changed = expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { maxSteps: 4, tools: ['calculator'] }), 200);
      expect(changed).toMatchObject({ maxSteps: 4, tools: ['calculator'], version: 2 });
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { maxSteps: 4 }), 200).version).toBe(2);
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { name: 'writer' }), 409).code).toBe('AGENT_EXISTS');

      expect(expectStatus(await call('POST', '/agents', member.key, { name: 'mine', model: 'openai:gpt-4o' }), 403).code).toBe('ROLE_REQUIRED');
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, member.key, { maxSteps: 1 }), 403).code).toBe('ROLE_REQUIRED');
      expectStatus(await call('DELETE', `/agents/${created.id}`, ADMIN_KEY), 204);
      expect(expectStatus(await call('GET', `/agents/${created.id}`, member.key), 404).code).toBe('AGENT_NOT_FOUND');
      expectStatus(await call('GET', '/agents/not-a-uuid', member.key), 400);

      const audit = expectStatus(await call('GET', '/audit?action=agent.*', ADMIN_KEY), 200).items;
      expect(audit.map((event: { action: string }) => event.action)).toEqual(['agent.deleted', 'agent.updated', 'agent.created', 'agent.created']);
      expect(audit[1].details.changes).toEqual({ maxSteps: { from: 10, to: 4 }, tools: { from: ['calculator', 'date*'], to: ['calculator'] } });
    });

    it('refuses bad definitions with a pointer per field, and a taken name with 409', async () => {
      await createAgent({ name: 'taken' });
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'taken', model: 'openai:gpt-4o' }), 409).code).toBe('AGENT_EXISTS');
      const unknownProvider = expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'x', model: 'mistral:large' }), 400);
      expect(unknownProvider.errors).toEqual([{ pointer: '/model', message: expect.stringContaining('one of openai, anthropic, ollama') }]);
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'x', model: 'gpt-4o' }), 400).errors[0].pointer).toBe('/model');
      const invalid = expectStatus(
        await call('POST', '/agents', ADMIN_KEY, { name: 'has.dot', model: 'openai:', maxSteps: 0, tools: ['bad name!'], kind: 'swarm', members: ['nope'], modelParameters: { temperature: 3 } }),
        400,
      );
      expect(invalid.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/kind', '/maxSteps', '/members', '/model', '/modelParameters/temperature', '/name', '/tools']);
      expect(await count('agents')).toBe(1);
    });

    it('keeps coordinators to existing members and refuses cycles, and members in use', async () => {
      const worker = await createAgent({ name: 'worker' });
      const helper = await createAgent({ name: 'helper' });
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'lone', model: 'openai:x', members: [worker.id] }), 400).errors[0].pointer).toBe('/members');
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'empty', model: 'openai:x', kind: 'supervisor' }), 400).errors[0].pointer).toBe('/members');
      const ghost = '00000000-0000-4000-8000-00000000dead';
      const missing = expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'ghosts', model: 'openai:x', kind: 'parallel', members: [worker.id, ghost] }), 400);
      expect(missing.errors).toEqual([{ pointer: '/members/1', message: `no agent has id ${ghost}` }]);

      const boss = await createAgent({ name: 'boss', kind: 'supervisor', members: [worker.id, helper.id] });
      const team = await createAgent({ name: 'team', kind: 'sequential', members: [boss.id] });
      // worker → team → boss → worker would delegate in a circle.
      const cycle = expectStatus(await call('PATCH', `/agents/${worker.id}`, ADMIN_KEY, { kind: 'supervisor', members: [team.id] }), 409);
      expect(cycle).toMatchObject({ code: 'AGENT_CYCLE', detail: expect.stringContaining('worker → team → boss → worker') });
      expect(expectStatus(await call('PATCH', `/agents/${boss.id}`, ADMIN_KEY, { members: [boss.id] }), 409).code).toBe('AGENT_CYCLE');
      expect(expectStatus(await call('GET', `/agents/${worker.id}`, ADMIN_KEY), 200)).toMatchObject({ kind: 'single', version: 1 });

      const inUse = expectStatus(await call('DELETE', `/agents/${worker.id}`, ADMIN_KEY), 409);
      expect(inUse).toMatchObject({ code: 'AGENT_IN_USE', detail: expect.stringContaining('boss') });
      expectStatus(await call('PATCH', `/agents/${boss.id}`, ADMIN_KEY, { members: [helper.id] }), 200);

      // Only a parallel coordinator names an aggregator; it must exist, and counts for cycles and deletion like a member.
      const wrongKind = expectStatus(await call('PATCH', `/agents/${boss.id}`, ADMIN_KEY, { aggregatorId: helper.id }), 400);
      expect(wrongKind.errors).toEqual([{ pointer: '/aggregatorId', message: 'only a parallel coordinator has an aggregator' }]);
      const noSuchAggregator = expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'fan', model: 'openai:x', kind: 'parallel', members: [helper.id], aggregatorId: ghost }), 400);
      expect(noSuchAggregator.errors).toEqual([{ pointer: '/aggregatorId', message: `no agent has id ${ghost}` }]);
      const fan = await createAgent({ name: 'fan', kind: 'parallel', members: [helper.id], aggregatorId: worker.id });
      expect(fan).toMatchObject({ kind: 'parallel', members: [helper.id], aggregatorId: worker.id });
      expect(expectStatus(await call('PATCH', `/agents/${worker.id}`, ADMIN_KEY, { kind: 'sequential', members: [fan.id] }), 409).code).toBe('AGENT_CYCLE');
      expect(expectStatus(await call('DELETE', `/agents/${worker.id}`, ADMIN_KEY), 409).detail).toContain('fan');
      expect(expectStatus(await call('PATCH', `/agents/${fan.id}`, ADMIN_KEY, { aggregatorId: null }), 200).aggregatorId).toBeNull();
      expectStatus(await call('DELETE', `/agents/${worker.id}`, ADMIN_KEY), 204);
    });
  });

  describe('runs', () => {
    let ada: TestUser;
    beforeEach(async () => {
      ada = await createUser(app());
    });

    it('answers 503 naming the variable to set when the provider is not configured, and records nothing', async () => {
      const claude = await createAgent({ name: 'claude', model: 'anthropic:claude-sonnet-4-5' });
      const local = await createAgent({ name: 'local', model: 'ollama:llama3.1:8b' });
      const refused = expectStatus(await call('POST', `/agents/${claude.id}/runs`, ada.key, { input: 'hi' }), 503);
      expect(refused).toMatchObject({ code: 'LLM_PROVIDER_NOT_CONFIGURED', detail: expect.stringContaining('ANTHROPIC_API_KEY') });
      expect(expectStatus(await call('POST', `/agents/${local.id}/runs`, ada.key, { input: 'hi' }), 503).detail).toContain('OLLAMA_BASE_URL');
      expect([await count('agent_runs'), await count('conversations')]).toEqual([0, 0]);
      expect(expectStatus(await call('POST', `/agents/${claude.id}/runs`, ada.key, { input: '', mode: 'sideways', multitask: 'maybe' }), 400).errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/input', '/mode', '/multitask']);
      expectStatus(await call('POST', '/agents/00000000-0000-4000-8000-00000000dead/runs', ada.key, { input: 'hi' }), 404);
    });

    it('runs two tools through the executor, feeds their results back and records steps, tokens and the conversation', async () => {
      const agent = await createAgent({ name: 'helper', systemPrompt: 'Use your tools.', tools: ['calculator', 'date*'], modelParameters: { temperature: 0 } });
      openai
        .callTools(
          [
            { id: 'call_calc', name: 'calculator', arguments: { expression: '6 * 7' } },
            { id: 'call_date', name: 'datetime', arguments: { operation: 'diff', from: '2026-01-01', to: '2026-03-01', unit: 'days' } },
          ],
          { prompt: 120, completion: 30 },
        )
        .answer('6 × 7 is 42, and there are 59 days.', { prompt: 200, completion: 12 });

      const run = await runAgent(agent.id, ada.key, { input: 'What is 6 * 7, and how many days from Jan 1 to Mar 1 2026?' });

      expect(run).toMatchObject({ status: 'succeeded', output: '6 × 7 is 42, and there are 59 days.', agentName: 'helper', agentVersion: 1, userId: ada.id, errorCode: null, mode: 'wait' });
      expect(run.usage).toEqual({ inputTokens: 320, outputTokens: 42, totalTokens: 362 });
      expect(run.steps.map((step: { type: string }) => step.type)).toEqual(['model', 'tool', 'tool', 'model']);
      expect(run.steps[0]).toMatchObject({ index: 1, turn: 1, usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 }, finishReason: 'tool_calls', toolCalls: [{ id: 'call_calc', name: 'calculator' }, { id: 'call_date', name: 'datetime' }] });
      const calculator = run.steps.find((step: { name?: string }) => step.name === 'calculator');
      expect(calculator).toMatchObject({ type: 'tool', turn: 1, callId: 'call_calc', isError: false, result: { value: 42, text: '42' }, errorCode: null, cached: false });
      expect(run.steps[3]).toMatchObject({ index: 4, turn: 2, content: '6 × 7 is 42, and there are 59 days.', toolCalls: [], finishReason: 'stop' });
      expect(run.startedAt <= run.finishedAt).toBe(true);
      expect(expectStatus(await call('GET', `/runs/${run.id}`, ada.key), 200)).toEqual(run);

      // What the real @langchain/openai client sent: our key, the system prompt, the registry's schemas as they are.
      const [first, second] = openai.requests;
      expect(first.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(first.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0 });
      expect(first.body.messages).toEqual([
        { role: 'system', content: 'Use your tools.' },
        { role: 'user', content: 'What is 6 * 7, and how many days from Jan 1 to Mar 1 2026?' },
      ]);
      const calculatorTool = expectStatus(await call('GET', '/tools/calculator', ada.key), 200);
      expect(first.body.tools?.map((tool) => tool.function.name).sort()).toEqual(['calculator', 'datetime']);
      expect(first.body.tools?.find((tool) => tool.function.name === 'calculator')?.function).toEqual({ name: 'calculator', description: calculatorTool.description, parameters: calculatorTool.inputSchema });
      const toolReplies = second.body.messages.filter((message) => message.role === 'tool');
      expect(toolReplies.map((message) => message.tool_call_id)).toEqual(['call_calc', 'call_date']);
      expect(JSON.parse(toolReplies[0].content as string)).toEqual({ value: 42, text: '42' });

      // Each tool call is in the invocation log as the agent's, under the run and its conversation.
      await app().get(HistoryRecorder).flush();
      const invocations = expectStatus(await call('GET', `/tool-invocations?source=agent`, ada.key), 200).items;
      expect(invocations).toHaveLength(2);
      for (const invocation of invocations) expect(invocation).toMatchObject({ source: 'agent', runId: run.id, conversationId: run.conversationId, status: 'ok', userId: ada.id });
      expect(invocations.map((invocation: { id: string }) => invocation.id).sort()).toEqual(run.steps.filter((step: { type: string }) => step.type === 'tool').map((step: { invocationId: string }) => step.invocationId).sort());

      const conversation = expectStatus(await call('GET', `/conversations/${run.conversationId}`, ada.key), 200);
      expect(conversation).toMatchObject({ agentId: agent.id, title: expect.stringMatching(/^helper: What is 6 \* 7/), messageCount: 5 });
      const messages = await messagesOf(run.conversationId, ada.key);
      expect(messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
      expect(messages[1]).toMatchObject({ content: '', tokenUsage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 }, toolCalls: [{ id: 'call_calc', name: 'calculator', args: { expression: '6 * 7' } }, { id: 'call_date', name: 'datetime' }] });
      expect(messages.filter((message: { role: string }) => message.role === 'tool').map((message: { toolCallId: string }) => message.toolCallId).sort()).toEqual(['call_calc', 'call_date']);
      expect(messages[4]).toMatchObject({ content: '6 × 7 is 42, and there are 59 days.', toolCalls: null });
    });

    it('continues a conversation with its earlier messages as context', async () => {
      const agent = await createAgent({ name: 'chat' });
      openai.answer('Hello Ada.').answer('Your name is Ada.');
      const first = await runAgent(agent.id, ada.key, { input: 'I am Ada.' });
      const second = await runAgent(agent.id, ada.key, { input: 'What is my name?', conversationId: first.conversationId });
      expect(second).toMatchObject({ status: 'succeeded', conversationId: first.conversationId, output: 'Your name is Ada.' });
      expect(openai.requests[1].body.messages).toEqual([
        { role: 'user', content: 'I am Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      expect(await messagesOf(first.conversationId, ada.key)).toHaveLength(4);
    });

    it('feeds tool errors back to the model: a failing tool, arguments that break the schema, a tool not allowed', async () => {
      const agent = await createAgent({ name: 'careful', tools: ['calculator'] });
      openai
        .callTools([
          { id: 'bad_expr', name: 'calculator', arguments: { expression: '1 +' } },
          { id: 'bad_args', name: 'calculator', arguments: { expr: '1' } },
          { id: 'not_allowed', name: 'http_request', arguments: { url: 'http://example.com' } },
        ])
        .answer('Sorry, I could not do that.');

      const run = await runAgent(agent.id, ada.key, { input: 'compute' });

      expect(run).toMatchObject({ status: 'succeeded', output: 'Sorry, I could not do that.' });
      const errors = Object.fromEntries(run.steps.filter((step: { type: string }) => step.type === 'tool').map((step: { callId: string; errorCode: string }) => [step.callId, step.errorCode]));
      expect(errors).toEqual({ bad_expr: 'EXPRESSION_INVALID', bad_args: 'TOOL_INPUT_INVALID', not_allowed: 'TOOL_NOT_FOUND' });
      const replies = Object.fromEntries(
        openai.requests[1].body.messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id, JSON.parse(message.content as string)]),
      );
      expect(replies.bad_expr).toMatchObject({ code: 'EXPRESSION_INVALID', error: expect.any(String) });
      expect(replies.bad_args).toMatchObject({ code: 'TOOL_INPUT_INVALID', errors: [{ pointer: '/expression' }, { pointer: '/expr' }] });
      expect(replies.not_allowed).toEqual({ code: 'TOOL_NOT_FOUND', error: 'No tool named http_request is available to this agent.' });
      await app().get(HistoryRecorder).flush();
      // Only the call that ran is in the invocation log; refusals before a run are not.
      expect((await app().get(DataSource).query(`SELECT status, error_code FROM tool_invocations WHERE run_id = $1`, [run.id]))).toEqual([{ status: 'error', error_code: 'EXPRESSION_INVALID' }]);
    });

    it('fails with AGENT_MAX_STEPS when the model keeps calling tools', async () => {
      const agent = await createAgent({ name: 'looper', tools: ['calculator'], maxSteps: 2 });
      openai.callTools([{ id: 'c1', name: 'calculator', arguments: { expression: '1+1' } }]).callTools([{ id: 'c2', name: 'calculator', arguments: { expression: '2+2' } }]);
      const run = await runAgent(agent.id, ada.key, { input: 'loop' });
      expect(run).toMatchObject({ status: 'failed', errorCode: 'AGENT_MAX_STEPS', output: null, usage: { totalTokens: 30 } });
      expect(run.steps.map((step: { type: string }) => step.type)).toEqual(['model', 'tool', 'model']);
      expect(openai.requests).toHaveLength(2);
    });

    it('fails with the provider error code: a 500 after one retry, a 401 at once with the key kept out', async () => {
      const agent = await createAgent({ name: 'unlucky' });
      openai.fail(500, 'The server had an error').fail(500, 'The server had an error');
      const failed = await runAgent(agent.id, ada.key, { input: 'hi' });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'LLM_PROVIDER_ERROR', errorMessage: expect.stringContaining('openai answered 500') });
      expect(openai.requests).toHaveLength(2);

      openai.reset();
      openai.fail(401, `Incorrect API key provided: ${OPENAI_KEY}`);
      const refused = await runAgent(agent.id, ada.key, { input: 'hi' });
      expect(refused).toMatchObject({ status: 'failed', errorCode: 'LLM_PROVIDER_UNAUTHORIZED' });
      expect(refused.errorMessage).not.toContain(OPENAI_KEY);
      expect(openai.requests).toHaveLength(1);
    });

    it("stops a run whose provider never answers as timed_out within the agent's timeoutMs", async () => {
      const agent = await createAgent({ name: 'patient', timeoutMs: 600 });
      openai.hang();
      const started = Date.now();
      const run = await runAgent(agent.id, ada.key, { input: 'hi' });
      expect(Date.now() - started).toBeLessThan(LLM_TIMEOUT_MS);
      expect(run).toMatchObject({ status: 'timed_out', errorCode: 'AGENT_TIMEOUT', steps: [] });
      expect(expectStatus(await call('GET', `/conversations/${run.conversationId}/messages`, ada.key), 200).items.map((m: { role: string }) => m.role)).toEqual(['user']);
    });

    it('fails with LLM_PROVIDER_TIMEOUT when a model call outlasts LLM_TIMEOUT_MS, long before the agent would time out', async () => {
      const agent = await createAgent({ name: 'slowpoke', timeoutMs: 20_000 });
      openai.hang();
      const started = Date.now();
      const run = await runAgent(agent.id, ada.key, { input: 'hi' });
      expect(Date.now() - started).toBeLessThan(LLM_TIMEOUT_MS + 1000);
      expect(run).toMatchObject({ status: 'failed', errorCode: 'LLM_PROVIDER_TIMEOUT', errorMessage: `openai did not answer within ${LLM_TIMEOUT_MS} ms (LLM_TIMEOUT_MS).` });
      expect(openai.requests).toHaveLength(1);
    });

    it("hides a member's runs and conversations from other members, not from admins", async () => {
      const bob = await createUser(app());
      const agent = await createAgent({ name: 'private' });
      openai.answer('hello');
      const run = await runAgent(agent.id, ada.key, { input: 'secret plans' });
      expect(expectStatus(await call('GET', `/runs/${run.id}`, bob.key), 404).code).toBe('RUN_NOT_FOUND');
      expect(expectStatus(await call('GET', `/runs/${run.id}`, ADMIN_KEY), 200).input).toBe('secret plans');
      const intrusion = expectStatus(await call('POST', `/agents/${agent.id}/runs`, bob.key, { input: 'read it', conversationId: run.conversationId }), 404);
      expect(intrusion.code).toBe('CONVERSATION_NOT_FOUND');
      expect(openai.requests).toHaveLength(1);
      const reader = await createUser(app(), { scopes: ['agents:read'] });
      expect(expectStatus(await call('POST', `/agents/${agent.id}/runs`, reader.key, { input: 'hi' }), 403).code).toBe('SCOPE_REQUIRED');
    });
  });
});
