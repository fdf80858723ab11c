import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { historyConfig } from '@app/core';
import { ConversationsService } from '@app/history';
import type { Principal } from '@app/users';
import type { RunStep, ToolStep } from '../entities/run-step.js';
import type { RunEvent, RunEventSink } from './run-events.js';
import { storedToolStep } from './run-stream-events.js';
import { toolMessageContent } from './run-tools.js';

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

  /** The sink for one run, writing to its conversation (a child run has none) as the principal who started it. */
  sinkFor(principal: Principal, conversationId: string | null): RunEventSink {
    return { emit: (event) => this.write(principal, conversationId, event) };
  }

  /** Marks a run failed when something other than the run itself broke it (the database went away mid-run). */
  async abandon(runId: string, error: Error): Promise<void> {
    await this.finish(runId, 'failed', null, 'RUN_INTERRUPTED', `The run stopped on a server error: ${error.message}`).catch(() => undefined);
  }

  /** Marks a run failed that could not start (its agent deleted, its caller disabled…). */
  async fail(runId: string, code: string, message: string): Promise<void> {
    await this.finish(runId, 'failed', null, code, message);
  }

  private async write(principal: Principal, conversationId: string | null, event: RunEvent): Promise<void> {
    switch (event.type) {
      case 'run.started':
        await this.dataSource.query(`UPDATE agent_runs SET status = 'running', started_at = now(), updated_at = now() WHERE id = $1 AND ${STILL_OPEN}`, [event.runId]);
        if (conversationId) await this.conversations.append(principal, conversationId, { role: 'user', content: event.input });
        return;
      case 'model.finished': {
        const { step } = event;
        await this.appendStep(event.runId, step, step.usage?.inputTokens ?? 0, step.usage?.outputTokens ?? 0, step.usage?.totalTokens ?? 0);
        const toolCalls = step.toolCalls.length > 0 ? step.toolCalls : undefined;
        if (conversationId) await this.conversations.append(principal, conversationId, { role: 'assistant', content: step.content, toolCalls, tokenUsage: step.usage ?? undefined });
        return;
      }
      case 'tool.finished':
        await this.appendStep(event.runId, this.stored(event.step));
        if (conversationId) await this.conversations.append(principal, conversationId, { role: 'tool', content: toolMessageContent(event.step.result), toolCallId: event.step.callId });
        return;
      case 'run.completed':
        await this.finish(event.runId, 'succeeded', event.output, null, null);
        return;
      case 'run.failed':
        await this.finish(event.runId, event.status, null, event.code, event.message);
        return;
      case 'coordinator.said':
        if (conversationId) await this.conversations.append(principal, conversationId, { role: 'assistant', content: event.content, toolCalls: event.toolCalls });
        return;
      case 'tool.started':
      case 'message.delta':
        return;
    }
  }

  /** Steps keep what /tool-invocations keeps: arguments with secrets redacted, results cut past HISTORY_RESULT_MAX_BYTES. */
  private stored(step: ToolStep): ToolStep {
    return storedToolStep(step, this.config.resultMaxBytes);
  }

  private async appendStep(runId: string, step: RunStep, inputTokens = 0, outputTokens = 0, totalTokens = 0): Promise<void> {
    await this.dataSource.query(
      `UPDATE agent_runs SET steps = steps || $2::jsonb, input_tokens = input_tokens + $3, output_tokens = output_tokens + $4,
         total_tokens = total_tokens + $5, updated_at = now() WHERE id = $1`,
      [runId, JSON.stringify([step]), inputTokens, outputTokens, totalTokens],
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
