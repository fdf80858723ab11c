import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
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

/** Low enough to reach in a test: a tree of runs may spend this many tokens, and delegate this deep. */
const MAX_TOKENS = 1000;
const MAX_DEPTH = 2;

interface Run {
  id: string;
  status: string;
  output: string | null;
  errorCode: string | null;
  parentRunId: string | null;
  rootRunId: string | null;
  childRunIds: string[];
  conversationId: string | null;
  userId: string;
  input: string;
  steps: { type: string; name?: string; result?: unknown; errorCode?: string | null; invocationId?: string | null; callId?: string }[];
}

describe('agents: coordinators, and agents as MCP tools and prompts', () => {
  const openai = new ScriptedOpenAiServer();
  let application: NestFastifyApplication;
  let baseUrl = '';
  const app = () => application;
  const call = (method: string, url: string, key: string, payload?: unknown) =>
    app().inject({ method: method as 'GET', url, headers: bearer(key), payload: payload as object });
  let ada: TestUser;
  let bob: TestUser;
  const clients: Client[] = [];

  beforeAll(async () => {
    await openai.start();
    application = await createTestApp({
      env: {
        API_KEY: ADMIN_KEY,
        RATE_LIMIT_MAX: '0',
        OPENAI_API_KEY: 'sk-test-coordination',
        OPENAI_BASE_URL: openai.baseUrl,
        LLM_TIMEOUT_MS: '4000',
        LLM_MAX_RETRIES: '0',
        AGENT_MAX_DEPTH: String(MAX_DEPTH),
        AGENT_RUN_MAX_TOKENS: String(MAX_TOKENS),
      },
    });
    await application.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(application.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await application?.close();
    await openai.close();
  });
  beforeEach(async () => {
    openai.reset();
    // An earlier test's invocations still buffered would land in this one's tables.
    await app().get(HistoryRecorder).flush();
    await resetState(app());
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
    ada = await createUser(app());
    bob = await createUser(app());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });

  const createAgent = async (payload: Record<string, unknown>) =>
    expectStatus(await call('POST', '/agents', ADMIN_KEY, { model: 'openai:gpt-4o-mini', ...payload }), 201);
  const runAgent = async (agentId: string, key: string, input: string): Promise<Run> => expectStatus(await call('POST', `/agents/${agentId}/runs`, key, { input }), 200);
  const getRun = async (id: string, key = ada.key): Promise<Run> => expectStatus(await call('GET', `/runs/${id}`, key), 200);
  const userMessage = (systemPrompt: string, index = 0) => openai.requestsFor(systemPrompt)[index].body.messages.filter((message) => message.role === 'user').at(-1)?.content;

  async function connect(key: string): Promise<Client> {
    const client = new Client({ name: 'coordination-e2e', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: bearer(key) } }));
    clients.push(client);
    return client;
  }

  describe('coordinators', () => {
    it('supervisor: offers its members as tools, runs each delegation as a child run and answers from their outputs', async () => {
      const researcher = await createAgent({ name: 'researcher', description: 'Finds facts.', systemPrompt: 'You research.' });
      const poet = await createAgent({ name: 'poet', systemPrompt: 'You write poems.' });
      const boss = await createAgent({ name: 'boss', kind: 'supervisor', systemPrompt: 'You delegate.', members: [researcher.id, poet.id] });
      openai
        .forSystemPrompt('You delegate.')
        .callTools([
          { id: 'ask_r', name: 'agent_researcher', arguments: { input: 'otter facts' } },
          { id: 'ask_p', name: 'agent_poet', arguments: { input: 'an otter haiku' } },
        ])
        .answer('Otters hold hands; paws entwined, they drift.');
      openai.forSystemPrompt('You research.').answer('Otters hold hands while sleeping.');
      openai.forSystemPrompt('You write poems.').answer('Paws entwined, they drift.');

      const run = await runAgent(boss.id, ada.key, 'Tell me about otters, with a poem.');

      expect(run).toMatchObject({ status: 'succeeded', output: 'Otters hold hands; paws entwined, they drift.', parentRunId: null, rootRunId: null });
      expect(run.childRunIds).toHaveLength(2);
      const children = await Promise.all(run.childRunIds.map((id) => getRun(id)));
      expect(children.map((child) => [child.input, child.output]).sort()).toEqual([
        ['an otter haiku', 'Paws entwined, they drift.'],
        ['otter facts', 'Otters hold hands while sleeping.'],
      ]);
      for (const child of children) expect(child).toMatchObject({ status: 'succeeded', parentRunId: run.id, rootRunId: run.id, userId: ada.id, conversationId: null, childRunIds: [] });

      // The supervisor's model saw each member as a function tool with the agent tool's schema, and got their outputs back.
      const [first, second] = openai.requestsFor('You delegate.');
      const offered = Object.fromEntries((first.body.tools ?? []).map((tool) => [tool.function.name, tool.function]));
      expect(Object.keys(offered).sort()).toEqual(['agent_poet', 'agent_researcher']);
      expect(offered.agent_researcher).toMatchObject({ description: 'Finds facts.', parameters: { required: ['input'], properties: { input: { type: 'string' } } } });
      const replies = Object.fromEntries(second.body.messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id, message.content]));
      expect(replies).toEqual({ ask_r: 'Otters hold hands while sleeping.', ask_p: 'Paws entwined, they drift.' });

      // Each delegation is a tool call of the supervisor's run, logged like any other.
      await app().get(HistoryRecorder).flush();
      const invocations = await app().get(DataSource).query(`SELECT tool_name, source, run_id, status FROM tool_invocations ORDER BY tool_name`);
      expect(invocations).toEqual([
        { tool_name: 'agent.poet', source: 'agent', run_id: run.id, status: 'ok' },
        { tool_name: 'agent.researcher', source: 'agent', run_id: run.id, status: 'ok' },
      ]);

      // Another member sees neither the run nor its children; an admin sees both.
      expect(expectStatus(await call('GET', `/runs/${run.id}`, bob.key), 404).code).toBe('RUN_NOT_FOUND');
      expect(expectStatus(await call('GET', `/runs/${run.childRunIds[0]}`, bob.key), 404).code).toBe('RUN_NOT_FOUND');
      expect((await getRun(run.childRunIds[0], ADMIN_KEY)).parentRunId).toBe(run.id);
    });

    it("sequential: hands each member the previous one's output and answers with the last, without a model of its own", async () => {
      const drafter = await createAgent({ name: 'drafter', systemPrompt: 'You draft.' });
      const editor = await createAgent({ name: 'editor', systemPrompt: 'You edit.' });
      const line = await createAgent({ name: 'line', kind: 'sequential', systemPrompt: 'Never used.', members: [drafter.id, editor.id] });
      openai.forSystemPrompt('You draft.').answer('otters r cute');
      openai.forSystemPrompt('You edit.').answer('Otters are cute.');

      const run = await runAgent(line.id, ada.key, 'Write about otters.');

      expect(run).toMatchObject({ status: 'succeeded', output: 'Otters are cute.' });
      expect(openai.requests).toHaveLength(2);
      expect([userMessage('You draft.'), userMessage('You edit.')]).toEqual(['Write about otters.', 'otters r cute']);
      expect(run.steps.map((step) => [step.type, step.name, step.result])).toEqual([
        ['tool', 'agent.drafter', 'otters r cute'],
        ['tool', 'agent.editor', 'Otters are cute.'],
      ]);
      const children = await Promise.all(run.childRunIds.map((id) => getRun(id)));
      expect(children.map((child) => child.input)).toEqual(['Write about otters.', 'otters r cute']);
      const messages = expectStatus(await call('GET', `/conversations/${run.conversationId}/messages`, ada.key), 200).items;
      expect(messages.map((message: { role: string; content: string }) => [message.role, message.content])).toEqual([
        ['user', 'Write about otters.'],
        ['assistant', ''],
        ['tool', 'otters r cute'],
        ['assistant', ''],
        ['tool', 'Otters are cute.'],
        ['assistant', 'Otters are cute.'],
      ]);
    });

    it('parallel: runs the members on the same input, then the aggregator on their outputs; without one, joins them', async () => {
      const optimist = await createAgent({ name: 'optimist', systemPrompt: 'You see the bright side.' });
      const skeptic = await createAgent({ name: 'skeptic', systemPrompt: 'You doubt.' });
      const judge = await createAgent({ name: 'judge', systemPrompt: 'You weigh answers.' });
      const panel = await createAgent({ name: 'panel', kind: 'parallel', members: [optimist.id, skeptic.id], aggregatorId: judge.id });
      openai.forSystemPrompt('You see the bright side.').answer('Great idea.').answer('Still great.');
      openai.forSystemPrompt('You doubt.').answer('Risky.').answer('Still risky.');
      openai.forSystemPrompt('You weigh answers.').answer('Go, carefully.');

      const run = await runAgent(panel.id, ada.key, 'Should we adopt otters?');

      expect(run).toMatchObject({ status: 'succeeded', output: 'Go, carefully.' });
      expect([userMessage('You see the bright side.'), userMessage('You doubt.')]).toEqual(['Should we adopt otters?', 'Should we adopt otters?']);
      expect(userMessage('You weigh answers.')).toBe('Should we adopt otters?\n\nThe answers of optimist, skeptic:\n\n## optimist\n\nGreat idea.\n\n## skeptic\n\nRisky.');
      expect(run.childRunIds).toHaveLength(3);

      expectStatus(await call('PATCH', `/agents/${panel.id}`, ADMIN_KEY, { aggregatorId: null }), 200);
      const joined = await runAgent(panel.id, ada.key, 'And now?');
      expect(joined.output).toBe('## optimist\n\nStill great.\n\n## skeptic\n\nStill risky.');
    });

    it("fails the whole tree with AGENT_BUDGET_EXCEEDED once its runs spent AGENT_RUN_MAX_TOKENS, whichever run spent them", async () => {
      const spender = await createAgent({ name: 'spender', systemPrompt: 'You ramble.' });
      const boss = await createAgent({ name: 'thrifty', kind: 'supervisor', systemPrompt: 'You delegate.', members: [spender.id] });
      const follower = await createAgent({ name: 'follower', systemPrompt: 'You follow.' });
      const line = await createAgent({ name: 'pipeline', kind: 'sequential', members: [spender.id, follower.id] });
      openai.forSystemPrompt('You delegate.').callTools([{ id: 'go', name: 'agent_spender', arguments: { input: 'ramble' } }]);
      openai.forSystemPrompt('You ramble.').answer('A very long story.', { prompt: MAX_TOKENS, completion: 5 });

      const run = await runAgent(boss.id, ada.key, 'Tell me everything.');

      // The member finished (its call crossed the budget); the supervisor may not call its model again.
      expect(run).toMatchObject({ status: 'failed', errorCode: 'AGENT_BUDGET_EXCEEDED', output: null });
      expect(run).toHaveProperty('errorMessage', expect.stringContaining(`AGENT_RUN_MAX_TOKENS allows ${MAX_TOKENS}`));
      expect(await getRun(run.childRunIds[0])).toMatchObject({ status: 'succeeded', output: 'A very long story.' });
      expect(openai.requestsFor('You delegate.')).toHaveLength(1);

      // A sequential coordinator's second member is refused its first model call: the coordinator fails with its code.
      openai.reset();
      openai.forSystemPrompt('You ramble.').answer('Long.', { prompt: MAX_TOKENS, completion: 5 });
      const piped = await runAgent(line.id, ada.key, 'Go.');
      expect(piped).toMatchObject({ status: 'failed', errorCode: 'AGENT_BUDGET_EXCEEDED' });
      const [first, second] = await Promise.all(piped.childRunIds.map((id) => getRun(id)));
      expect([first.status, second.status, second.errorCode]).toEqual(['succeeded', 'failed', 'AGENT_BUDGET_EXCEEDED']);
      expect(openai.requests).toHaveLength(1);
    });

    it('refuses a delegation deeper than AGENT_MAX_DEPTH: an agent calling itself through its own tool', async () => {
      const echo = await createAgent({ name: 'echo', systemPrompt: 'You echo.', tools: ['agent.echo'] });
      const deeper = { id: 'deeper', name: 'agent_echo', arguments: { input: 'again' } };
      // Root → child → grandchild, whose own call is refused; then each answers, innermost first.
      openai.forSystemPrompt('You echo.').callTools([deeper]).callTools([deeper]).callTools([deeper]).answer('bottom').answer('middle').answer('top');

      const run = await runAgent(echo.id, ada.key, 'Echo!');

      expect(run).toMatchObject({ status: 'succeeded', output: 'top' });
      const child = await getRun(run.childRunIds[0]);
      const grandchild = await getRun(child.childRunIds[0]);
      expect(child).toMatchObject({ parentRunId: run.id, rootRunId: run.id, output: 'middle' });
      expect(grandchild).toMatchObject({ parentRunId: child.id, rootRunId: run.id, output: 'bottom', childRunIds: [] });
      expect(grandchild.steps.find((step) => step.type === 'tool')).toMatchObject({ name: 'agent.echo', errorCode: 'AGENT_DEPTH_EXCEEDED', invocationId: null });
      const refusal = openai.requestsFor('You echo.')[3].body.messages.find((message) => message.role === 'tool');
      expect(JSON.parse(refusal!.content as string)).toMatchObject({ code: 'AGENT_DEPTH_EXCEEDED', error: expect.stringContaining(`AGENT_MAX_DEPTH allows ${MAX_DEPTH}`) });
    });
  });

  describe('agents as tools and prompts', () => {
    it("keeps each agent's tool agent.<name> in the registry in step with the agent", async () => {
      const agent = await createAgent({ name: 'scout', description: 'Scouts.', timeoutMs: 5000 });
      expect(expectStatus(await call('GET', '/tools/agent.scout', ADMIN_KEY), 200)).toMatchObject({ kind: 'agent', description: 'Scouts.', timeoutMs: 6000, enabled: true });
      expectStatus(await call('PATCH', `/agents/${agent.id}`, ADMIN_KEY, { name: 'ranger', description: '' }), 200);
      expectStatus(await call('GET', '/tools/agent.scout', ADMIN_KEY), 404);
      expect(expectStatus(await call('GET', '/tools/agent.ranger', ADMIN_KEY), 200)).toMatchObject({ kind: 'agent', version: 2, description: expect.stringContaining('ranger') });
      expect(expectStatus(await call('DELETE', '/tools/agent.ranger', ADMIN_KEY), 409).code).toBe('TOOL_NOT_DELETABLE');
      expectStatus(await call('DELETE', `/agents/${agent.id}`, ADMIN_KEY), 204);
      expectStatus(await call('GET', '/tools/agent.ranger', ADMIN_KEY), 404);

      // A name another tool holds is refused, and the agent is not created.
      const http = { name: 'agent.taken', kind: 'http', inputSchema: { type: 'object' }, config: { url: 'https://example.com/x', method: 'GET' } };
      expectStatus(await call('POST', '/tools', ADMIN_KEY, http), 201);
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'taken', model: 'openai:x' }), 409).code).toBe('AGENT_TOOL_NAME_TAKEN');
      expect(expectStatus(await call('GET', '/agents?q=taken', ADMIN_KEY), 200).items).toEqual([]);
    });

    it('an MCP client lists agent.<name>, calls it as its caller through the one tool path, and gets its prompt', async () => {
      const researcher = await createAgent({ name: 'researcher', description: 'Finds facts.', systemPrompt: 'You research.' });
      openai.forSystemPrompt('You research.').answer('Otters hold hands.').fail(401, 'bad key');
      const client = await connect(ada.key);

      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'agent.researcher')).toMatchObject({ title: 'researcher', description: 'Finds facts.', inputSchema: { required: ['input'] } });
      const answer = await client.callTool({ name: 'agent.researcher', arguments: { input: 'otter facts' } });
      expect(answer).toMatchObject({ content: [{ type: 'text', text: 'Otters hold hands.' }] });
      expect(answer.isError).toBeFalsy();

      // The run is ada's own, a root run in a new conversation of hers; the call is in the invocation log as MCP's.
      const [run] = await app().get(DataSource).query(`SELECT id, user_id, parent_run_id, conversation_id, status FROM agent_runs`);
      expect(run).toMatchObject({ user_id: ada.id, parent_run_id: null, status: 'succeeded', conversation_id: expect.any(String) });
      await app().get(HistoryRecorder).flush();
      expect(await app().get(DataSource).query(`SELECT tool_name, source, user_id, status FROM tool_invocations`)).toEqual([{ tool_name: 'agent.researcher', source: 'mcp', user_id: ada.id, status: 'ok' }]);

      // A run that fails is an error result naming its code; so are a conversation of someone else and bad arguments.
      const failed = await client.callTool({ name: 'agent.researcher', arguments: { input: 'again' } });
      expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringContaining('LLM_PROVIDER_UNAUTHORIZED') }] });
      // Another id (its first digit changed): one that starts with f already must not stay the same.
      const missing = run.conversation_id.replace(/^./, (digit: string) => (digit === 'f' ? '0' : 'f'));
      const intrusion = await client.callTool({ name: 'agent.researcher', arguments: { input: 'read it', conversationId: missing } });
      expect(intrusion).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('CONVERSATION_NOT_FOUND') }] });
      const bobs = await (await connect(bob.key)).callTool({ name: 'agent.researcher', arguments: { input: 'read it', conversationId: run.conversation_id } });
      expect(bobs).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('CONVERSATION_NOT_FOUND') }] });
      expect(await client.callTool({ name: 'agent.researcher', arguments: { input: '' } })).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('TOOL_INPUT_INVALID') }] });

      const { prompts } = await client.listPrompts();
      expect(prompts).toEqual([{ name: 'agent.researcher', title: 'researcher', description: 'Finds facts.', arguments: [{ name: 'input', description: 'Your message to the agent.', required: true }] }]);
      const prompt = await client.getPrompt({ name: 'agent.researcher', arguments: { input: 'otter facts' } });
      expect(prompt.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'You research.' } },
        { role: 'user', content: { type: 'text', text: 'otter facts' } },
      ]);
      await expect(client.getPrompt({ name: 'agent.nobody', arguments: { input: 'x' } })).rejects.toMatchObject({ code: -32602 });
      expect(openai.requests).toHaveLength(2);
    });

    it('runs only for keys with agents:run, and shows prompts only to keys with agents:read, over MCP and REST alike', async () => {
      await createAgent({ name: 'researcher', systemPrompt: 'You research.' });
      const invoker = await createUser(app(), { scopes: ['tools:read', 'tools:invoke'] });
      const client = await connect(invoker.key);
      const refused = await client.callTool({ name: 'agent.researcher', arguments: { input: 'hi' } });
      expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('SCOPE_REQUIRED') }] });
      expect((await client.listPrompts()).prompts).toEqual([]);
      const rest = expectStatus(await call('POST', '/tools/agent.researcher/invoke', invoker.key, { arguments: { input: 'hi' } }), 403);
      expect(rest.code).toBe('SCOPE_REQUIRED');

      openai.forSystemPrompt('You research.').answer('Hello over REST.');
      expect(expectStatus(await call('POST', '/tools/agent.researcher/invoke', ada.key, { arguments: { input: 'hi' } }), 200)).toMatchObject({ result: 'Hello over REST.', isError: false });
      expect(await app().get(DataSource).query(`SELECT count(*)::int AS count FROM agent_runs`)).toEqual([{ count: 1 }]);
    });
  });
});
