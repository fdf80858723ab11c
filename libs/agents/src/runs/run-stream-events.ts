import { redactSecrets, truncateResult } from '@app/history';
import { FINAL_RUN_STATUSES, type AgentRun } from '../entities/agent-run.entity.js';
import type { ToolStep } from '../entities/run-step.js';
import type { FailedRunStatus, RunEvent } from './run-events.js';

/**
 * What followers of a run see (SSE `event:` names), in order: run.started, message.delta…, tool.started,
 * tool.finished…, then one of run.completed | run.failed. Model turns are not events of their own: their text came
 * as deltas, and the run's steps hold them.
 */
export type RunStreamEvent = Exclude<RunEvent, { type: 'model.finished' | 'coordinator.said' }>;

export const RUN_STREAM_EVENT_TYPES = ['run.started', 'message.delta', 'tool.started', 'tool.finished', 'run.completed', 'run.failed'] as const;

/** An event as logged for a run: `id` counts 1, 2, 3… within the run, and is the SSE `id:` a client resumes after. */
export interface LoggedRunEvent {
  id: number;
  event: RunStreamEvent;
}

export function isTerminal(event: RunStreamEvent): boolean {
  return event.type === 'run.completed' || event.type === 'run.failed';
}

/** A tool step as runs keep it: arguments with secrets redacted, the result cut past maxBytes. */
export function storedToolStep(step: ToolStep, resultMaxBytes: number): ToolStep {
  return { ...step, arguments: redactSecrets(step.arguments) as Record<string, unknown>, result: truncateResult(step.result, resultMaxBytes) };
}

/** The event followers get for a runner event, kept as the run's steps keep it; undefined for events they don't get. */
export function toStreamEvent(event: RunEvent, resultMaxBytes: number): RunStreamEvent | undefined {
  switch (event.type) {
    case 'model.finished':
    case 'coordinator.said':
      return undefined;
    case 'tool.started':
      return { ...event, arguments: redactSecrets(event.arguments) as Record<string, unknown> };
    case 'tool.finished':
      return { ...event, step: storedToolStep(event.step, resultMaxBytes) };
    default:
      return event;
  }
}

/** The terminal event a finished run would have ended its stream with, rebuilt from its row. */
export function terminalEventOf(run: AgentRun): RunStreamEvent | undefined {
  if (!FINAL_RUN_STATUSES.includes(run.status)) return undefined;
  const usage = { inputTokens: run.inputTokens, outputTokens: run.outputTokens, totalTokens: run.totalTokens };
  if (run.status === 'succeeded') return { type: 'run.completed', runId: run.id, output: run.output ?? '', usage };
  return { type: 'run.failed', runId: run.id, status: run.status as FailedRunStatus, code: run.errorCode ?? 'RUN_FAILED', message: run.errorMessage ?? '', usage };
}
