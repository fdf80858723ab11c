import type { Principal } from '@app/users';
import type { RunEvent } from '../runs/run-events.js';
import type { RequestedToolCall, RunTools, ToolOutcome } from '../runs/run-tools.js';
import { ToolNames } from '../runs/tool-names.js';
import { MemberCoordinator, type PipelinePlan } from './member-coordinator.js';

type Member = (input: string, signal: AbortSignal) => Promise<string>;

/** Members' agent tools as functions of their input; a member that throws is a failed run, as the agent tool answers. */
class MemberTools implements RunTools {
  readonly definitions = [];
  readonly inputs: [string, string][] = [];
  private readonly names: ToolNames;

  constructor(private readonly members: Record<string, Member>) {
    this.names = new ToolNames(Object.keys(members).map((name) => `agent.${name}`));
  }

  modelName = (name: string) => this.names.modelName(name);
  registryName = (name: string) => this.names.registryName(name);

  async call(call: RequestedToolCall, signal: AbortSignal): Promise<ToolOutcome> {
    const name = this.names.registryName(call.name)!;
    const input = call.args.input as string;
    this.inputs.push([name, input]);
    try {
      return { name, result: await this.members[name.slice('agent.'.length)](input, signal), isError: false, errorCode: null, invocationId: `inv-${call.id}`, cached: false };
    } catch (error) {
      if (signal.aborted) throw error;
      return { name, result: { error: (error as Error).message, code: 'AGENT_MAX_STEPS' }, isError: true, errorCode: 'AGENT_MAX_STEPS', invocationId: `inv-${call.id}`, cached: false };
    }
  }
}

const after = (ms: number, value: string) => new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));
const principal = { userId: 'u1' } as Principal;

describe('MemberCoordinator', () => {
  let events: RunEvent[];
  let said: { content: string; toolCalls?: { name: string }[] }[];
  // What the coordinator says in its conversation comes as events, for the journal to write in order with the rest.
  const sink = {
    emit: async (event: RunEvent) => {
      events.push(event);
      if (event.type === 'coordinator.said') said.push({ content: event.content, toolCalls: event.toolCalls });
    },
  };
  const coordinator = new MemberCoordinator();

  beforeEach(() => {
    events = [];
    said = [];
  });

  function plan(kind: PipelinePlan['kind'], tools: MemberTools, overrides: Partial<PipelinePlan> = {}): PipelinePlan {
    return { runId: 'run-1', kind, members: ['researcher', 'writer'], input: 'Tell me about otters.', tools, timeoutMs: 5000, conversation: { principal, id: 'c1' }, ...overrides };
  }

  it('sequential: hands each member the previous output and answers with the last one, each call a tool step', async () => {
    const tools = new MemberTools({ researcher: async (input) => `facts on "${input}"`, writer: async (input) => `a poem from ${input}` });

    const outcome = await coordinator.run(plan('sequential', tools), sink);

    expect(outcome).toMatchObject({ status: 'succeeded', output: 'a poem from facts on "Tell me about otters."', errorCode: null });
    expect(tools.inputs).toEqual([
      ['agent.researcher', 'Tell me about otters.'],
      ['agent.writer', 'facts on "Tell me about otters."'],
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'run.started',
      'coordinator.said',
      'tool.started',
      'tool.finished',
      'coordinator.said',
      'tool.started',
      'tool.finished',
      'coordinator.said',
      'run.completed',
    ]);
    const steps = events.flatMap((event) => (event.type === 'tool.finished' ? [event.step] : []));
    expect(steps.map((step) => [step.index, step.turn, step.name, step.invocationId])).toEqual([
      [1, 1, 'agent.researcher', 'inv-delegation_1_1'],
      [2, 2, 'agent.writer', 'inv-delegation_2_1'],
    ]);
    // The conversation reads like a supervisor's: a call of each member, then the answer.
    expect(said.map((message) => [message.content, message.toolCalls?.map((call) => call.name)])).toEqual([
      ['', ['agent.researcher']],
      ['', ['agent.writer']],
      ['a poem from facts on "Tell me about otters."', undefined],
    ]);
  });

  it('parallel: runs the members at once on the same input, and joins their outputs under their names', async () => {
    const tools = new MemberTools({ researcher: () => after(60, 'Otters hold hands.'), writer: () => after(60, 'Sleek swimmers.') });
    const started = Date.now();

    const outcome = await coordinator.run(plan('parallel', tools), sink);

    expect(Date.now() - started).toBeLessThan(110);
    expect(outcome.output).toBe('## researcher\n\nOtters hold hands.\n\n## writer\n\nSleek swimmers.');
    expect(tools.inputs.map(([, input]) => input)).toEqual(['Tell me about otters.', 'Tell me about otters.']);
    expect(said[0].toolCalls?.map((call) => call.name)).toEqual(['agent.researcher', 'agent.writer']);
  });

  it('parallel: the aggregator gets the input and every output, and its answer is the answer', async () => {
    const tools = new MemberTools({ researcher: async () => 'A', writer: async () => 'B', editor: async (input) => `merged(${input.length})` });

    const outcome = await coordinator.run(plan('parallel', tools, { aggregator: 'editor' }), sink);

    const [, aggregated] = tools.inputs.find(([name]) => name === 'agent.editor')!;
    expect(aggregated).toBe('Tell me about otters.\n\nThe answers of researcher, writer:\n\n## researcher\n\nA\n\n## writer\n\nB');
    expect(outcome.output).toBe(`merged(${aggregated.length})`);
    const steps = events.flatMap((event) => (event.type === 'tool.finished' ? [[event.step.name, event.step.turn]] : []));
    expect(steps).toEqual(expect.arrayContaining([['agent.researcher', 1], ['agent.writer', 1], ['agent.editor', 2]]));
  });

  it("fails with the first failing member's code and stops the members still running", async () => {
    let writerSignal: AbortSignal | undefined;
    const tools = new MemberTools({
      researcher: () => Promise.reject(new Error('still asked for tools')),
      writer: (_, signal) => {
        writerSignal = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });

    const outcome = await coordinator.run(plan('parallel', tools), sink);

    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'AGENT_MAX_STEPS', errorMessage: 'agent.researcher failed: still asked for tools', output: null });
    expect(writerSignal?.aborted).toBe(true);
    expect(said).toHaveLength(1);
  });

  it('stops as timed_out at its own timeoutMs, and writes nothing after', async () => {
    const tools = new MemberTools({ researcher: () => new Promise(() => undefined), writer: async () => 'never' });

    const outcome = await coordinator.run(plan('sequential', tools, { timeoutMs: 50 }), sink);

    expect(outcome).toMatchObject({ status: 'timed_out', errorCode: 'AGENT_TIMEOUT' });
    expect(events.map((event) => event.type)).toEqual(['run.started', 'coordinator.said', 'tool.started', 'run.failed']);
    expect(tools.inputs).toHaveLength(1);
  });

  it('keeps a child run (no conversation) out of every conversation', async () => {
    const tools = new MemberTools({ researcher: async () => 'A', writer: async () => 'B' });
    await coordinator.run(plan('sequential', tools, { conversation: undefined }), sink);
    expect(said).toEqual([]);
  });
});
