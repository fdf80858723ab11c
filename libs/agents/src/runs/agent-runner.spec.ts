import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { AgentRunner, RunInterruption, type RunPlan } from './agent-runner.js';
import type { RunEvent } from './run-events.js';
import type { RequestedToolCall, RunTools, ToolOutcome } from './run-tools.js';
import { ToolNames } from './tool-names.js';

type ToolFunction = (args: Record<string, any>, signal: AbortSignal) => Promise<unknown>;

/** Tools as plain functions under registry names; a function that throws is an error outcome, as the executor answers. */
class FunctionTools implements RunTools {
  private readonly names: ToolNames;
  readonly definitions;
  readonly called: string[] = [];

  constructor(private readonly functions: Record<string, ToolFunction>) {
    this.names = new ToolNames(Object.keys(functions));
    this.definitions = Object.keys(functions).map((name) => ({
      type: 'function' as const,
      function: { name: this.names.modelName(name), description: name, parameters: { type: 'object', properties: {} } },
    }));
  }

  modelName = (name: string) => this.names.modelName(name);
  registryName = (name: string) => this.names.registryName(name);

  async call(call: RequestedToolCall, signal: AbortSignal): Promise<ToolOutcome> {
    const name = this.names.registryName(call.name);
    this.called.push(name ?? call.name);
    if (!name) return { name: call.name, result: { error: 'no such tool', code: 'TOOL_NOT_FOUND' }, isError: true, errorCode: 'TOOL_NOT_FOUND', invocationId: null, cached: false };
    try {
      return { name, result: await this.functions[name](call.args, signal), isError: false, errorCode: null, invocationId: `inv-${call.id}`, cached: false };
    } catch (error) {
      if (signal.aborted) throw error;
      return { name, result: { error: (error as Error).message, code: 'TOOL_FAILED' }, isError: true, errorCode: 'TOOL_FAILED', invocationId: `inv-${call.id}`, cached: false };
    }
  }
}

const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, total_tokens: input + output });
const toolMessages = (messages: BaseMessage[]) => messages.filter((message): message is ToolMessage => message instanceof ToolMessage);

describe('AgentRunner', () => {
  const runner = new AgentRunner();
  let events: RunEvent[];
  const sink = { emit: async (event: RunEvent) => void events.push(event) };

  beforeEach(() => {
    events = [];
  });

  function plan(model: ReturnType<typeof fakeModel>, tools: RunTools, overrides: Partial<RunPlan> = {}): RunPlan {
    const chat = { model, provider: 'openai' as const, timeoutMs: 5000, secrets: ['sk-live-123'] };
    return { runId: 'run-1', chat, systemPrompt: 'Be brief.', history: [], input: 'What is 6 * 7, and what time is it?', tools, maxSteps: 5, timeoutMs: 5000, ...overrides };
  }

  it('runs the tools the model asks for, feeds their results back and ends on its answer, counting every token', async () => {
    const tools = new FunctionTools({
      calculator: async (args) => ({ value: args.a * args.b }),
      'clock.now': async () => ({ iso: '2026-11-24T12:00:00Z' }),
    });
    const model = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'calculator', args: { a: 6, b: 7 } }, { id: 'c2', name: 'clock_now', args: {} }], usage_metadata: usage(20, 10) }))
      .respond(new AIMessage({ content: '42, at noon UTC.', usage_metadata: usage(40, 5) }));

    const outcome = await runner.run(plan(model, tools), sink);

    expect(outcome).toEqual({ status: 'succeeded', output: '42, at noon UTC.', errorCode: null, errorMessage: null, usage: { inputTokens: 60, outputTokens: 15, totalTokens: 75 } });
    expect(events.map((event) => event.type)).toEqual(['run.started', 'model.finished', 'tool.started', 'tool.started', 'tool.finished', 'tool.finished', 'message.delta', 'model.finished', 'run.completed']);
    const [first, second] = model.calls;
    expect(first.messages.map((message) => message.type)).toEqual(['system', 'human']);
    // Results go back in the order the model asked, answering each call by its id, under the name the model knows.
    expect(toolMessages(second.messages).map((message) => [message.tool_call_id, message.name, message.content])).toEqual([
      ['c1', 'calculator', '{"value":42}'],
      ['c2', 'clock_now', '{"iso":"2026-11-24T12:00:00Z"}'],
    ]);
    const modelStep = events.find((event) => event.type === 'model.finished');
    expect(modelStep).toMatchObject({ step: { type: 'model', turn: 1, usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 }, toolCalls: [{ id: 'c1', name: 'calculator' }, { id: 'c2', name: 'clock.now' }] } });
    const toolSteps = events.flatMap((event) => (event.type === 'tool.finished' ? [event.step] : []));
    expect(toolSteps.map((step) => [step.name, step.result, step.isError])).toEqual(
      expect.arrayContaining([['calculator', { value: 42 }, false], ['clock.now', { iso: '2026-11-24T12:00:00Z' }, false]]),
    );
    expect(toolSteps.map((step) => step.index).sort()).toEqual([2, 3]);
  });

  it('hands a tool failure, an unknown tool and unreadable arguments back to the model as error tool messages', async () => {
    const tools = new FunctionTools({ calculator: async () => Promise.reject(new Error('Undefined symbol x')) });
    const model = fakeModel()
      .respond(
        new AIMessage({
          content: '',
          tool_calls: [{ id: 'c1', name: 'calculator', args: { expression: 'x' } }, { id: 'c2', name: 'weather', args: {} }],
          invalid_tool_calls: [{ id: 'c3', name: 'calculator', args: '{"expression": ', error: 'Unexpected end of JSON input', type: 'invalid_tool_call' }],
        }),
      )
      .respond(new AIMessage('I could not compute that.'));

    const outcome = await runner.run(plan(model, tools), sink);

    expect(outcome.status).toBe('succeeded');
    const returned = toolMessages(model.calls[1].messages);
    expect(returned.map((message) => [message.tool_call_id, message.status])).toEqual([['c1', 'error'], ['c2', 'error'], ['c3', 'error']]);
    expect(JSON.parse(returned[0].text)).toEqual({ error: 'Undefined symbol x', code: 'TOOL_FAILED' });
    expect(JSON.parse(returned[1].text).code).toBe('TOOL_NOT_FOUND');
    expect(JSON.parse(returned[2].text)).toEqual({ error: expect.stringContaining('Unexpected end of JSON input'), code: 'TOOL_ARGUMENTS_INVALID' });
    expect(tools.called).toEqual(['calculator', 'weather']);
  });

  it('fails with AGENT_MAX_STEPS when the model still wants tools on its last turn, without running them', async () => {
    const tools = new FunctionTools({ calculator: async () => ({ value: 1 }) });
    const model = fakeModel();
    for (let turn = 1; turn <= 3; turn++) model.respondWithTools([{ name: 'calculator', args: {}, id: `c${turn}` }]);

    const outcome = await runner.run(plan(model, tools, { maxSteps: 3 }), sink);

    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'AGENT_MAX_STEPS', output: null });
    expect(model.callCount).toBe(3);
    expect(tools.called).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run.failed', status: 'failed', code: 'AGENT_MAX_STEPS' });
  });

  it('names a provider failure by its status and keeps the key out of the message', async () => {
    const refused = Object.assign(new Error('401 Incorrect API key provided: sk-live-123'), { status: 401 });
    const model = fakeModel().respond(refused);

    const outcome = await runner.run(plan(model, new FunctionTools({})), sink);

    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'LLM_PROVIDER_UNAUTHORIZED', errorMessage: 'openai answered 401: 401 Incorrect API key provided: [redacted]' });
  });

  it('stops as timed_out at timeoutMs, even while a tool ignores the abort, and reports nothing after', async () => {
    const tools = new FunctionTools({ deaf: () => new Promise(() => undefined), late: () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)) });
    const model = fakeModel().respondWithTools([{ name: 'deaf', args: {} }, { name: 'late', args: {} }]);
    const started = Date.now();

    const outcome = await runner.run(plan(model, tools, { timeoutMs: 100 }), sink);

    expect(outcome).toMatchObject({ status: 'timed_out', errorCode: 'AGENT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events.map((event) => event.type).filter((type) => type !== 'message.delta')).toEqual(['run.started', 'model.finished', 'tool.started', 'tool.started', 'run.failed']);
  });

  it('stops as cancelled when its cancel signal aborts, and passes the signal to the tools', async () => {
    const cancel = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const tools = new FunctionTools({
      wait: (_, signal) => {
        toolSignal = signal;
        setTimeout(() => cancel.abort(), 10);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    const model = fakeModel().respondWithTools([{ name: 'wait', args: {} }]);

    const outcome = await runner.run(plan(model, tools, { cancel: cancel.signal }), sink);

    expect(outcome).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    expect(toolSignal?.aborted).toBe(true);
  });

  it('reports the answer as message deltas while the model streams it, before the step that holds all of it', async () => {
    const model = new FakeListChatModel({ responses: ['Forty-two.'] });

    const outcome = await runner.run(plan(model as unknown as ReturnType<typeof fakeModel>, new FunctionTools({})), sink);

    expect(outcome).toMatchObject({ status: 'succeeded', output: 'Forty-two.' });
    const deltas = events.flatMap((event) => (event.type === 'message.delta' ? [event] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => event.delta).join('')).toBe('Forty-two.');
    expect(deltas.every((event) => event.turn === 1)).toBe(true);
    expect(events.map((event) => event.type).filter((type, index, all) => type !== all[index - 1])).toEqual(['run.started', 'message.delta', 'model.finished', 'run.completed']);
    expect(events.find((event) => event.type === 'model.finished')).toMatchObject({ step: { content: 'Forty-two.' } });
  });

  it('fails as RUN_INTERRUPTED, not cancelled, when the server stops under it', async () => {
    const stop = new AbortController();
    const tools = new FunctionTools({ wait: (_, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) });
    const model = fakeModel().respondWithTools([{ name: 'wait', args: {} }]);
    setTimeout(() => stop.abort(new RunInterruption('The server stopped before the run finished.')), 10);

    const outcome = await runner.run(plan(model, tools, { cancel: stop.signal }), sink);

    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'RUN_INTERRUPTED', errorMessage: 'The server stopped before the run finished.' });
  });

  it('puts the conversation so far between the system prompt and the input', async () => {
    const model = fakeModel().respond(new AIMessage('Hello again.'));
    const history = [new AIMessage('Earlier answer')];

    await runner.run(plan(model, new FunctionTools({}), { history, systemPrompt: '' }), sink);

    expect(model.calls[0].messages.map((message) => [message.type, message.text])).toEqual([
      ['ai', 'Earlier answer'],
      ['human', 'What is 6 * 7, and what time is it?'],
    ]);
  });
});
