import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { AgentRunner, type RunOutcome, type RunPlan } from '../runs/agent-runner.js';
import { FanOutSink, type RunEvent } from '../runs/run-events.js';
import type { RequestedToolCall, RunTools, ToolOutcome } from '../runs/run-tools.js';
import { ToolNames } from '../runs/tool-names.js';
import { RunBudget } from './run-budget.js';

/**
 * A supervisor as RunsService builds one: its model (fakeModel) is offered each member as the tool agent.<name>, and
 * a call of it runs the member (a FakeListChatModel) as a child run in the same tree, sharing the tree's budget.
 */
describe('a supervisor over its members', () => {
  const runner = new AgentRunner();
  let events: RunEvent[];
  const recorder = { emit: async (event: RunEvent) => void events.push(event) };
  const children: RunOutcome[] = [];

  beforeEach(() => {
    events = [];
    children.length = 0;
  });

  function planFor(runId: string, model: RunPlan['chat']['model'], tools: RunTools, budget: RunBudget, input: string): RunPlan {
    const chat = { model, provider: 'openai' as const, timeoutMs: 5000, secrets: [] };
    return { runId, chat, systemPrompt: '', history: [], input, tools, maxSteps: 5, timeoutMs: 5000, beforeModelCall: () => budget.admitModelCall() };
  }

  /** Each member's tool starts a child run of the member's model, as the agent tool does through RunsService. */
  class MemberTools implements RunTools {
    private readonly names: ToolNames;
    readonly definitions;

    constructor(
      private readonly members: Record<string, () => FakeListChatModel>,
      private readonly budget: RunBudget,
    ) {
      this.names = new ToolNames(Object.keys(members).map((name) => `agent.${name}`));
      this.definitions = Object.keys(members).map((name) => ({
        type: 'function' as const,
        function: { name: this.names.modelName(`agent.${name}`), description: name, parameters: { type: 'object', properties: { input: { type: 'string' } } } },
      }));
    }

    modelName = (name: string) => this.names.modelName(name);
    registryName = (name: string) => this.names.registryName(name);

    async call(call: RequestedToolCall): Promise<ToolOutcome> {
      const name = this.names.registryName(call.name)!;
      const member = this.members[name.slice('agent.'.length)]();
      const noTools: RunTools = { definitions: [], modelName: (n) => n, registryName: () => undefined, call: () => Promise.reject(new Error('no tools')) };
      const sink = new FanOutSink([recorder, this.budget.sink]);
      const outcome = await runner.run(planFor(`child-${call.id}`, member, noTools, this.budget, call.args.input as string), sink);
      children.push(outcome);
      if (outcome.status === 'succeeded') return { name, result: outcome.output, isError: false, errorCode: null, invocationId: `inv-${call.id}`, cached: false };
      return { name, result: { error: outcome.errorMessage, code: outcome.errorCode }, isError: true, errorCode: outcome.errorCode, invocationId: `inv-${call.id}`, cached: false };
    }
  }

  it('delegates to the members the model picks, as child runs, and answers from their outputs', async () => {
    const budget = new RunBudget({ maxSteps: 10, maxTokens: 1000 });
    const tools = new MemberTools({ researcher: () => new FakeListChatModel({ responses: ['Otters hold hands while sleeping.'] }), poet: () => new FakeListChatModel({ responses: ['Paws entwined, they drift.'] }) }, budget);
    const supervisor = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ id: 'r', name: 'agent_researcher', args: { input: 'otter facts' } }, { id: 'p', name: 'agent_poet', args: { input: 'otter haiku' } }] }))
      .respond(new AIMessage('Otters hold hands; a poet says: paws entwined, they drift.'));

    const outcome = await runner.run(planFor('root', supervisor, tools, budget, 'Tell me about otters, with a poem.'), new FanOutSink([recorder, budget.sink]));

    expect(outcome).toMatchObject({ status: 'succeeded', output: 'Otters hold hands; a poet says: paws entwined, they drift.' });
    expect(children.map((child) => child.output).sort()).toEqual(['Otters hold hands while sleeping.', 'Paws entwined, they drift.']);
    const delegations = events.flatMap((event) => (event.type === 'tool.finished' && event.runId === 'root' ? [[event.step.name, event.step.result]] : []));
    expect(delegations).toEqual(
      expect.arrayContaining([
        ['agent.researcher', 'Otters hold hands while sleeping.'],
        ['agent.poet', 'Paws entwined, they drift.'],
      ]),
    );
    expect(budget.used().steps).toBe(4);
  });

  it("fails with AGENT_BUDGET_EXCEEDED when the members spent the tree's model calls before the supervisor could answer", async () => {
    const budget = new RunBudget({ maxSteps: 2, maxTokens: 1000 });
    const tools = new MemberTools({ researcher: () => new FakeListChatModel({ responses: ['Facts.'] }) }, budget);
    const supervisor = fakeModel()
      .respondWithTools([{ id: 'r', name: 'agent_researcher', args: { input: 'otter facts' } }])
      .respond(new AIMessage('never asked'));

    const outcome = await runner.run(planFor('root', supervisor, tools, budget, 'Tell me about otters.'), new FanOutSink([recorder, budget.sink]));

    expect(children).toMatchObject([{ status: 'succeeded', output: 'Facts.' }]);
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'AGENT_BUDGET_EXCEEDED', output: null });
    expect(supervisor.callCount).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'run.failed', runId: 'root', code: 'AGENT_BUDGET_EXCEEDED' });
  });
});
