import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import { raceAbort } from '@app/core';
import type { ModelStep, StepToolCall, TokenCounts, ToolStep } from '../entities/run-step.js';
import type { ChatModelHandle } from '../models/chat-models.service.js';
import { describeProviderFailure } from '../models/provider-failure.js';
import type { FailedRunStatus, RunEvent, RunEventSink } from './run-events.js';
import { toolMessageContent, type RequestedToolCall, type RunTools, type ToolOutcome } from './run-tools.js';

/** Everything one run of a single agent needs, resolved before it starts. */
export interface RunPlan {
  runId: string;
  chat: ChatModelHandle;
  systemPrompt: string;
  /** Earlier messages of the conversation, oldest first. */
  history: BaseMessage[];
  input: string;
  tools: RunTools;
  /** Model turns allowed; a model still asking for tools on the last one fails the run with AGENT_MAX_STEPS. */
  maxSteps: number;
  /** Past this the run stops as timed_out, whatever it is waiting on. */
  timeoutMs: number;
  /** Aborted to cancel the run; aborted with a RunInterruption, it fails as RUN_INTERRUPTED instead. */
  cancel?: AbortSignal;
  /** Called before each model call; throwing RunStopped ends the run instead (a spent budget shared with other runs). */
  beforeModelCall?: () => void;
}

export interface RunOutcome {
  status: 'succeeded' | FailedRunStatus;
  output: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  usage: TokenCounts;
}

type ToolCallingModel = Runnable<BaseMessage[], AIMessageChunk>;

/** The reason to abort a run's cancel signal with when the server stops under it (not the user's doing). */
export class RunInterruption extends Error {
  override readonly name = 'RunInterruption';
}

/** Ends a run early: the model call failed, the time ran out, the run was cancelled or its tree's budget is spent. */
export class RunStopped extends Error {
  constructor(
    readonly status: FailedRunStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The loop of a single agent: model → the tool calls it asks for (concurrently, each through the run's tools) → their
 * results and errors back to the model as tool messages → … until it answers without tool calls, runs out of turns
 * (AGENT_MAX_STEPS) or time (timed_out). Every step is emitted to the sink as it finishes; the runner keeps no state
 * between runs, so how a run is driven (wait, stream, background, a coordinator's child) is up to its caller.
 */
@Injectable()
export class AgentRunner {
  async run(plan: RunPlan, sink: RunEventSink): Promise<RunOutcome> {
    const { signal, progress } = await beginRun(plan, sink);
    try {
      const model = this.bind(plan);
      const messages: BaseMessage[] = [...(plan.systemPrompt ? [new SystemMessage(plan.systemPrompt)] : []), ...plan.history, new HumanMessage(plan.input)];
      for (let turn = 1; turn <= plan.maxSteps; turn++) {
        plan.beforeModelCall?.();
        const { reply, calls } = await this.callModel(model, messages, turn, plan, signal, progress);
        messages.push(reply);
        if (calls.length === 0) return await progress.complete(reply.text);
        if (turn === plan.maxSteps) break;
        messages.push(...(await this.callTools(calls, turn, plan, signal, progress)));
      }
      return await progress.fail('failed', 'AGENT_MAX_STEPS', `The model still asked for tools after ${plan.maxSteps} turns, the agent's maxSteps.`);
    } catch (error) {
      if (!(error instanceof RunStopped)) throw error;
      return await progress.fail(error.status, error.code, error.message);
    }
  }

  private bind({ chat, tools }: RunPlan): ToolCallingModel {
    if (tools.definitions.length === 0) return chat.model as unknown as ToolCallingModel;
    if (!chat.model.bindTools) throw new RunStopped('failed', 'LLM_TOOLS_UNSUPPORTED', `The ${chat.provider} chat model cannot call tools.`);
    return chat.model.bindTools(tools.definitions) as unknown as ToolCallingModel;
  }

  private async callModel(model: ToolCallingModel, messages: BaseMessage[], turn: number, plan: RunPlan, signal: AbortSignal, progress: RunProgress) {
    const startedAt = new Date().toISOString();
    const started = performance.now();
    // One budget for the call and its retries, enforced here rather than by each client (Ollama's has none).
    const deadline = AbortSignal.timeout(plan.chat.timeoutMs);
    const callSignal = AbortSignal.any([signal, deadline]);
    let reply: AIMessage;
    try {
      reply = await raceAbort(this.streamReply(model, messages, turn, callSignal, progress), callSignal);
    } catch (error) {
      if (signal.aborted) throw stoppedBy(signal, plan);
      if (deadline.aborted) throw new RunStopped('failed', 'LLM_PROVIDER_TIMEOUT', `${plan.chat.provider} did not answer within ${plan.chat.timeoutMs} ms (LLM_TIMEOUT_MS).`);
      const failure = describeProviderFailure(error, plan.chat.provider, plan.chat.secrets);
      throw new RunStopped('failed', failure.code, failure.message);
    }
    const calls = requestedCalls(reply, turn);
    const usage = usageOf(reply);
    const step: ModelStep = {
      type: 'model',
      index: progress.nextIndex(),
      turn,
      startedAt,
      durationMs: elapsed(started),
      content: reply.text,
      toolCalls: calls.map(({ call }): StepToolCall => ({ id: call.id, name: plan.tools.registryName(call.name) ?? call.name, args: call.args })),
      usage,
      finishReason: finishReasonOf(reply),
    };
    await progress.modelFinished(step);
    return { reply, calls };
  }

  /** The model's answer, its text reported as message.delta events as the provider streams it. */
  private async streamReply(model: ToolCallingModel, messages: BaseMessage[], turn: number, signal: AbortSignal, progress: RunProgress): Promise<AIMessage> {
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await model.stream(messages, { signal })) {
      whole = whole ? whole.concat(chunk) : chunk;
      const delta = chunk.text;
      if (delta) await progress.delta(turn, delta);
    }
    if (!whole) throw new Error('The model answered with an empty stream.');
    const { content, tool_calls, invalid_tool_calls, usage_metadata, response_metadata, additional_kwargs, id } = whole;
    return new AIMessage({ content, tool_calls, invalid_tool_calls, usage_metadata, response_metadata, additional_kwargs, id });
  }

  /** Runs a turn's tool calls concurrently; their messages go back to the model in the order it asked. */
  private async callTools(calls: PendingCall[], turn: number, plan: RunPlan, signal: AbortSignal, progress: RunProgress): Promise<ToolMessage[]> {
    try {
      return await raceAbort(Promise.all(calls.map((pending) => this.callTool(pending, turn, plan, signal, progress))), signal);
    } catch (error) {
      if (signal.aborted) throw stoppedBy(signal, plan);
      throw error;
    }
  }

  private async callTool({ call, invalid }: PendingCall, turn: number, plan: RunPlan, signal: AbortSignal, progress: RunProgress): Promise<ToolMessage> {
    const name = plan.tools.registryName(call.name) ?? call.name;
    await progress.emit({ type: 'tool.started', runId: plan.runId, turn, callId: call.id, name, arguments: call.args });
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const outcome: ToolOutcome = invalid ? invalidArguments(call.name, invalid) : await plan.tools.call(call, signal);
    await progress.toolFinished({
      type: 'tool',
      index: progress.nextIndex(),
      turn,
      startedAt,
      durationMs: elapsed(started),
      callId: call.id,
      name: outcome.name,
      arguments: call.args,
      result: outcome.result,
      isError: outcome.isError,
      errorCode: outcome.errorCode,
      invocationId: outcome.invocationId,
      cached: outcome.cached,
    });
    return new ToolMessage({ tool_call_id: call.id, name: call.name, content: toolMessageContent(outcome.result), status: outcome.isError ? 'error' : 'success' });
  }
}

/**
 * Starts a run, whoever drives it (the model loop, a coordinator): reports run.started, and gives the signal that ends
 * it at its timeoutMs or when it is cancelled, and the progress that reports its steps and outcome.
 */
export async function beginRun(
  plan: { runId: string; input: string; timeoutMs: number; cancel?: AbortSignal },
  sink: RunEventSink,
): Promise<{ signal: AbortSignal; progress: RunProgress }> {
  const timeout = AbortSignal.timeout(plan.timeoutMs);
  const signal = plan.cancel ? AbortSignal.any([timeout, plan.cancel]) : timeout;
  await sink.emit({ type: 'run.started', runId: plan.runId, input: plan.input });
  return { signal, progress: new RunProgress(plan.runId, sink) };
}

/** A call the model asked for; `invalid` says why its arguments could not be read. */
interface PendingCall {
  call: RequestedToolCall;
  invalid?: string;
}

/**
 * Counts the steps and tokens of one run and reports them to its sink. Once the run has ended nothing more is
 * reported: a tool that finishes after the run timed out can't add a step to a finished run.
 */
export class RunProgress {
  private index = 0;
  private ended = false;
  private readonly usage: TokenCounts = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

  constructor(
    private readonly runId: string,
    private readonly sink: RunEventSink,
  ) {}

  nextIndex(): number {
    return ++this.index;
  }

  async emit(event: RunEvent): Promise<void> {
    if (!this.ended) await this.sink.emit(event);
  }

  async delta(turn: number, delta: string): Promise<void> {
    await this.emit({ type: 'message.delta', runId: this.runId, turn, delta });
  }

  async modelFinished(step: ModelStep): Promise<void> {
    if (step.usage) {
      this.usage.inputTokens += step.usage.inputTokens;
      this.usage.outputTokens += step.usage.outputTokens;
      this.usage.totalTokens += step.usage.totalTokens;
    }
    await this.emit({ type: 'model.finished', runId: this.runId, step });
  }

  async toolFinished(step: ToolStep): Promise<void> {
    await this.emit({ type: 'tool.finished', runId: this.runId, step });
  }

  async complete(output: string): Promise<RunOutcome> {
    await this.end({ type: 'run.completed', runId: this.runId, output, usage: { ...this.usage } });
    return { status: 'succeeded', output, errorCode: null, errorMessage: null, usage: { ...this.usage } };
  }

  async fail(status: FailedRunStatus, code: string, message: string): Promise<RunOutcome> {
    await this.end({ type: 'run.failed', runId: this.runId, status, code, message, usage: { ...this.usage } });
    return { status, output: null, errorCode: code, errorMessage: message, usage: { ...this.usage } };
  }

  private async end(event: RunEvent): Promise<void> {
    this.ended = true;
    await this.sink.emit(event);
  }
}

export function stoppedBy(signal: AbortSignal, plan: Pick<RunPlan, 'timeoutMs'>): RunStopped {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === 'TimeoutError') return new RunStopped('timed_out', 'AGENT_TIMEOUT', `The run did not finish within the agent's timeoutMs of ${plan.timeoutMs} ms.`);
  if (reason instanceof RunInterruption) return new RunStopped('failed', 'RUN_INTERRUPTED', reason.message);
  return new RunStopped('cancelled', 'RUN_CANCELLED', 'The run was cancelled.');
}

/** Tool calls with readable arguments, then those whose arguments the provider sent as broken JSON. */
function requestedCalls(reply: AIMessage, turn: number): PendingCall[] {
  let unnamed = 0;
  // A provider that sends no call ids (some local servers) gets ids, so each tool message can answer its call.
  const idFor = (id: string | undefined) => id || `call_${turn}_${++unnamed}`;
  const valid = (reply.tool_calls ?? []).map((call) => {
    call.id = idFor(call.id);
    return { call: { id: call.id, name: call.name, args: call.args } };
  });
  const invalid = (reply.invalid_tool_calls ?? []).map((call) => {
    call.id = idFor(call.id);
    return { call: { id: call.id, name: call.name ?? 'unknown', args: {} }, invalid: call.error ?? `arguments are not a JSON object: ${call.args ?? ''}` };
  });
  return [...valid, ...invalid];
}

function invalidArguments(name: string, why: string): ToolOutcome {
  const code = 'TOOL_ARGUMENTS_INVALID';
  return { name, result: { error: `The arguments for ${name} could not be read: ${why}`, code }, isError: true, errorCode: code, invocationId: null, cached: false };
}

function usageOf(reply: AIMessage): TokenCounts | null {
  const usage = reply.usage_metadata;
  if (!usage) return null;
  return { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0, totalTokens: usage.total_tokens ?? 0 };
}

/** OpenAI says finish_reason, Anthropic stop_reason, Ollama done_reason. */
function finishReasonOf(reply: AIMessage): string | null {
  const metadata = reply.response_metadata ?? {};
  const reason = metadata.finish_reason ?? metadata.stop_reason ?? metadata.done_reason;
  return typeof reason === 'string' ? reason : null;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
