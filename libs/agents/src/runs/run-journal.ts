import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { historyConfig } from '@app/core';
import { ConversationsService, type AppendMessageDto } from '@app/history';
import type { Principal } from '@app/users';
import type { RunStep, TokenCounts, ToolStep } from '../entities/run-step.js';
import type { FailedRunStatus, RunEvent } from './run-events.js';
import { storedToolStep } from './run-stream-events.js';
import { toolMessageContent } from './run-tools.js';
import type { RunEventWriter } from './write-behind-sink.js';

/** How a run ended, as its row keeps it. */
interface RunEnd {
  status: 'succeeded' | FailedRunStatus;
  output: string | null;
  code: string | null;
  message: string | null;
}

/** What may still change about a run: a finished one is never written again. */
const STILL_OPEN = `status IN ('queued', 'running')`;

/**
 * Writes a run's events where they are kept: its steps, token totals and outcome on its agent_runs row (a step is
 * appended as it finishes, so a run in progress can be read), and the user's input, the model's messages with their
 * tool calls and usage, and the tool results in the run's conversation, through the history like any message.
 */
@Injectable()
export class RunJournal {
  constructor(
    @Inject(historyConfig.KEY) private readonly config: ConfigType<typeof historyConfig>,
    private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
  ) {}

  /** The writer of one run's events, to its conversation (a child run has none) as the principal who started it. */
  writerFor(principal: Principal, conversationId: string | null): RunEventWriter {
    return (events) => this.write(principal, conversationId, events);
  }

  /** Marks a run failed when something other than the run itself broke it (the database went away mid-run). */
  async abandon(runId: string, error: Error): Promise<void> {
    await this.finish(runId, 'failed', null, 'RUN_INTERRUPTED', `The run stopped on a server error: ${error.message}`).catch(() => undefined);
  }

  /** Marks a run failed that could not start (its agent deleted, its caller disabled…). */
  async fail(runId: string, code: string, message: string): Promise<void> {
    await this.finish(runId, 'failed', null, code, message);
  }

  /**
   * Events written together: the run row's changes (started, then the steps with their tokens) beside the
   * conversation's new messages in one append, then how the run ended: two statements for a model turn and its tool calls.
   */
  private async write(principal: Principal, conversationId: string | null, events: readonly RunEvent[]): Promise<void> {
    const runId = events[0].runId;
    const steps: RunStep[] = [];
    const tokens: TokenCounts = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    const messages: AppendMessageDto[] = [];
    let started = false;
    let ended: RunEnd | undefined;
    for (const event of events) {
      switch (event.type) {
        case 'run.started':
          started = true;
          messages.push({ role: 'user', content: event.input });
          break;
        case 'model.finished': {
          const { step } = event;
          steps.push(step);
          tokens.inputTokens += step.usage?.inputTokens ?? 0;
          tokens.outputTokens += step.usage?.outputTokens ?? 0;
          tokens.totalTokens += step.usage?.totalTokens ?? 0;
          messages.push({ role: 'assistant', content: step.content, toolCalls: step.toolCalls.length > 0 ? step.toolCalls : undefined, tokenUsage: step.usage ?? undefined });
          break;
        }
        case 'tool.finished':
          steps.push(this.stored(event.step));
          messages.push({ role: 'tool', content: toolMessageContent(event.step.result), toolCallId: event.step.callId });
          break;
        case 'coordinator.said':
          messages.push({ role: 'assistant', content: event.content, toolCalls: event.toolCalls });
          break;
        case 'run.completed':
          ended = { status: 'succeeded', output: event.output, code: null, message: null };
          break;
        case 'run.failed':
          ended = { status: event.status, output: null, code: event.code, message: event.message };
          break;
        case 'tool.started':
        case 'message.delta':
          break;
      }
    }
    await Promise.all([
      this.updateRun(runId, started, steps, tokens),
      conversationId && messages.length > 0 ? this.conversations.appendAll(principal, conversationId, messages) : undefined,
    ]);
    // Last, once everything before it is written: a run whose messages could not be kept does not read as finished.
    if (ended) await this.finish(runId, ended.status, ended.output, ended.code, ended.message);
  }

  private async updateRun(runId: string, started: boolean, steps: RunStep[], tokens: TokenCounts): Promise<void> {
    if (started) await this.dataSource.query(`UPDATE agent_runs SET status = 'running', started_at = now(), updated_at = now() WHERE id = $1 AND ${STILL_OPEN}`, [runId]);
    if (steps.length > 0) await this.appendSteps(runId, steps, tokens);
  }

  /** Steps keep what /tool-invocations keeps: arguments with secrets redacted, results cut past HISTORY_RESULT_MAX_BYTES. */
  private stored(step: ToolStep): ToolStep {
    return storedToolStep(step, this.config.resultMaxBytes);
  }

  private async appendSteps(runId: string, steps: RunStep[], tokens: TokenCounts): Promise<void> {
    await this.dataSource.query(
      `UPDATE agent_runs SET steps = steps || $2::jsonb, input_tokens = input_tokens + $3, output_tokens = output_tokens + $4,
         total_tokens = total_tokens + $5, updated_at = now() WHERE id = $1`,
      [runId, JSON.stringify(steps), tokens.inputTokens, tokens.outputTokens, tokens.totalTokens],
    );
  }

  private async finish(runId: string, status: string, output: string | null, errorCode: string | null, errorMessage: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE agent_runs SET status = $2, output = $3, error_code = $4, error_message = $5, finished_at = now(), updated_at = now()
         WHERE id = $1 AND ${STILL_OPEN}`,
      [runId, status, output, errorCode, errorMessage],
    );
  }
}
