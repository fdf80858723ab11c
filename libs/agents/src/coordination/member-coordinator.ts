import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { raceAbort } from '@app/core';
import type { Principal } from '@app/users';
import type { AgentKind } from '../entities/agent.entity.js';
import type { StepToolCall } from '../entities/run-step.js';
import { beginRun, RunProgress, RunStopped, stoppedBy, type RunOutcome } from '../runs/agent-runner.js';
import type { RunEventSink } from '../runs/run-events.js';
import { toolMessageContent, type RunTools } from '../runs/run-tools.js';
import { agentToolName } from './agent-tool-name.js';

/** Coordinators that run their members themselves, in a fixed pattern, without a model of their own. */
export const PIPELINE_KINDS = ['sequential', 'parallel'] as const satisfies readonly AgentKind[];
export type PipelineKind = (typeof PIPELINE_KINDS)[number];

export function isPipeline(kind: AgentKind): kind is PipelineKind {
  return (PIPELINE_KINDS as readonly AgentKind[]).includes(kind);
}

/** Everything one run of a sequential or parallel coordinator needs, resolved before it starts. */
export interface PipelinePlan {
  runId: string;
  kind: PipelineKind;
  /** The members' names, in order. */
  members: string[];
  /** Parallel only: the agent that merges the members' outputs; without one they are joined under their names. */
  aggregator?: string;
  input: string;
  /** The members' tools (`agent.<name>`), each call going through the tool executor and starting a child run. */
  tools: RunTools;
  timeoutMs: number;
  cancel?: AbortSignal;
  /** The run's conversation, for the coordinator's own messages; none for a child run. */
  conversation?: { principal: Principal; id: string };
}

/**
 * Runs a sequential coordinator (each member gets the previous member's output; the answer is the last one's) or a
 * parallel one (every member gets the input at once; the aggregator, if any, merges their outputs). Each delegation is
 * a call of the member's agent tool, recorded as a tool step of the coordinator's run; the first member that fails
 * fails the coordinator with the member's error code, and stops the members still running.
 */
@Injectable()
export class MemberCoordinator {
  async run(plan: PipelinePlan, sink: RunEventSink): Promise<RunOutcome> {
    const { signal, progress } = await beginRun(plan, sink);
    try {
      const output = await raceAbort(plan.kind === 'sequential' ? this.sequential(plan, signal, progress) : this.parallel(plan, signal, progress), signal);
      await this.say(plan, progress, output);
      return await progress.complete(output);
    } catch (error) {
      const stopped = signal.aborted ? stoppedBy(signal, plan) : error;
      if (!(stopped instanceof RunStopped)) throw error;
      return await progress.fail(stopped.status, stopped.code, stopped.message);
    }
  }

  private async sequential(plan: PipelinePlan, signal: AbortSignal, progress: RunProgress): Promise<string> {
    let current = plan.input;
    for (const [index, member] of plan.members.entries()) {
      signal.throwIfAborted();
      current = (await this.delegate(plan, [member], current, index + 1, signal, progress))[0];
    }
    return current;
  }

  private async parallel(plan: PipelinePlan, signal: AbortSignal, progress: RunProgress): Promise<string> {
    const outputs = await this.delegate(plan, plan.members, plan.input, 1, signal, progress);
    const joined = plan.members.map((member, index) => `## ${member}\n\n${outputs[index]}`).join('\n\n');
    if (!plan.aggregator) return joined;
    const [merged] = await this.delegate(plan, [plan.aggregator], `${plan.input}\n\nThe answers of ${plan.members.join(', ')}:\n\n${joined}`, 2, signal, progress);
    return merged;
  }

  /** One turn: the members' tool calls at once, their outputs in the order asked; the first failure stops the rest. */
  private async delegate(plan: PipelinePlan, members: string[], input: string, turn: number, signal: AbortSignal, progress: RunProgress): Promise<string[]> {
    const calls: StepToolCall[] = members.map((member, index) => ({ id: `delegation_${turn}_${index + 1}`, name: agentToolName(member), args: { input } }));
    await this.say(plan, progress, '', calls);
    const turnEnded = new AbortController();
    const callSignal = AbortSignal.any([signal, turnEnded.signal]);
    try {
      return await Promise.all(calls.map((call) => this.call(plan, call, turn, callSignal, progress)));
    } finally {
      turnEnded.abort();
    }
  }

  private async call(plan: PipelinePlan, call: StepToolCall, turn: number, signal: AbortSignal, progress: RunProgress): Promise<string> {
    await progress.emit({ type: 'tool.started', runId: plan.runId, turn, callId: call.id, name: call.name, arguments: call.args });
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const outcome = await plan.tools.call({ id: call.id, name: plan.tools.modelName(call.name), args: call.args }, signal);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    await progress.toolFinished({ type: 'tool', index: progress.nextIndex(), turn, startedAt, durationMs, callId: call.id, arguments: call.args, ...outcome });
    if (outcome.isError) {
      const { error } = (outcome.result ?? {}) as { error?: string };
      throw new RunStopped('failed', outcome.errorCode ?? 'TOOL_FAILED', `${call.name} failed: ${error ?? toolMessageContent(outcome.result)}`);
    }
    return toolMessageContent(outcome.result);
  }

  /**
   * The coordinator's side of the conversation, so it reads like a supervisor's: what it asked of whom, and its answer.
   * Told to the run's sink like every other event, so the journal writes it in its place among them.
   */
  private async say(plan: PipelinePlan, progress: RunProgress, content: string, toolCalls?: StepToolCall[]): Promise<void> {
    if (plan.conversation) await progress.emit({ type: 'coordinator.said', runId: plan.runId, content, toolCalls });
  }
}
