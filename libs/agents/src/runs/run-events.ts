import type { RunStatus } from '../entities/agent-run.entity.js';
import type { ModelStep, StepToolCall, TokenCounts, ToolStep } from '../entities/run-step.js';

export type FailedRunStatus = Extract<RunStatus, 'failed' | 'timed_out' | 'cancelled'>;

/**
 * What a run reports as it goes, in order. The runner emits them to a sink: the journal writes them to the run and the
 * conversation; a stream (SSE) or a cluster-wide event log can listen to the same events.
 */
export type RunEvent =
  | { type: 'run.started'; runId: string; input: string }
  /** Text of the model's answer as the provider streams it; the model.finished of the turn holds all of it. */
  | { type: 'message.delta'; runId: string; turn: number; delta: string }
  | { type: 'model.finished'; runId: string; step: ModelStep }
  | { type: 'tool.started'; runId: string; turn: number; callId: string; name: string; arguments: Record<string, unknown> }
  | { type: 'tool.finished'; runId: string; step: ToolStep }
  /** A sequential or parallel coordinator's own message in its conversation (it has no model turns to write one). */
  | { type: 'coordinator.said'; runId: string; content: string; toolCalls?: StepToolCall[] }
  | { type: 'run.completed'; runId: string; output: string; usage: TokenCounts }
  | { type: 'run.failed'; runId: string; status: FailedRunStatus; code: string; message: string; usage: TokenCounts };

/** Receives a run's events; the runner waits for each emit, so a sink that persists keeps the order. */
export interface RunEventSink {
  emit(event: RunEvent): Promise<void>;
}

/** Several sinks as one, each getting every event in order. */
export class FanOutSink implements RunEventSink {
  constructor(private readonly sinks: RunEventSink[]) {}

  async emit(event: RunEvent): Promise<void> {
    for (const sink of this.sinks) await sink.emit(event);
  }
}
