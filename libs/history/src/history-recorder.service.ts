import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { historyConfig, LogThrottle, ReadinessChecks } from '@app/core';
import { InvocationSource, InvocationStatus, ToolInvocation } from './entities/tool-invocation.entity.js';
import { redactSecrets, truncateResult } from './redaction.js';

/** What the tool path reports about one call. */
export interface InvocationRecord {
  userId: string;
  toolName: string;
  source: InvocationSource;
  conversationId?: string | null;
  runId?: string | null;
  arguments: Record<string, unknown>;
  result?: unknown;
  status: InvocationStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  durationMs: number;
  cached?: boolean;
}

type Row = ToolInvocation;

/**
 * The tool invocation log, written behind the caller's back: record() only buffers, and the buffer is written with
 * multi-row inserts on an interval, as soon as a batch is full, and before shutdown completes. While the database is
 * unreachable rows wait (up to HISTORY_BUFFER_MAX, oldest dropped past it), readiness reports the backlog as down and
 * the logs say why.
 */
@Injectable()
export class HistoryRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryRecorder.name);
  private buffer: Row[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private lastError?: string;
  private dropped = 0;
  private readonly warnings = new LogThrottle(10_000);
  private lastStamp = 0;

  constructor(
    @Inject(historyConfig.KEY) private readonly config: ConfigType<typeof historyConfig>,
    private readonly dataSource: DataSource,
    readiness: ReadinessChecks,
  ) {
    readiness.register('history_recorder', () => ({
      up: this.lastError === undefined,
      details: { buffered: this.buffer.length, dropped: this.dropped, ...(this.lastError ? { lastError: this.lastError } : {}) },
    }));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs).unref();
  }

  /** Buffers one invocation and returns its id at once; the row is written within HISTORY_FLUSH_INTERVAL_MS. */
  record(entry: InvocationRecord): string {
    const id = randomUUID();
    this.buffer.push({
      id,
      userId: entry.userId,
      toolName: entry.toolName,
      source: entry.source,
      conversationId: entry.conversationId ?? null,
      runId: entry.runId ?? null,
      arguments: redactSecrets(entry.arguments) as Record<string, unknown>,
      result: truncateResult(entry.result, this.config.resultMaxBytes),
      status: entry.status,
      errorCode: entry.errorCode ?? null,
      errorMessage: entry.errorMessage ?? null,
      durationMs: Math.max(0, Math.round(entry.durationMs)),
      cached: entry.cached ?? false,
      createdAt: this.stamp(),
    });
    if (this.buffer.length > this.config.bufferMax) this.dropOldest();
    if (this.buffer.length >= this.config.batchSize) void this.flush();
    return id;
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered now; concurrent callers share one flush. Never throws: failures stay buffered. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
    if (this.buffer.length > 0) {
      this.logger.error(`${this.buffer.length} tool invocation(s) could not be written before shutdown: ${this.lastError}`);
    }
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.config.batchSize);
      try {
        await this.insert(batch);
      } catch (error) {
        this.lastError = (error as Error).message;
        this.warn(`writing ${batch.length} tool invocation(s) failed, ${this.buffer.length} kept for retry: ${this.lastError}`);
        return;
      }
      // Rows dropped meanwhile came off the front, so the written ones are the first still present.
      const written = new Set(batch);
      this.buffer = this.buffer.filter((row) => !written.has(row));
      if (this.lastError) this.logger.log('tool invocation log writes resumed');
      this.lastError = undefined;
    }
  }

  /**
   * One statement with one array per column, whatever the batch size: the query builder spent more time naming and
   * escaping 14 parameters per row than the database spent inserting them.
   */
  private async insert(batch: Row[]): Promise<void> {
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    await this.dataSource.query(
      `INSERT INTO tool_invocations
         (id, user_id, tool_name, source, conversation_id, run_id, arguments, result, status, error_code, error_message, duration_ms, cached, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::uuid[], $6::uuid[], $7::jsonb[], $8::jsonb[],
                            $9::varchar[], $10::varchar[], $11::text[], $12::integer[], $13::boolean[], $14::timestamptz[])`,
      [
        batch.map((row) => row.id),
        batch.map((row) => row.userId),
        batch.map((row) => row.toolName),
        batch.map((row) => row.source),
        batch.map((row) => row.conversationId),
        batch.map((row) => row.runId),
        batch.map((row) => json(row.arguments)),
        batch.map((row) => json(row.result)),
        batch.map((row) => row.status),
        batch.map((row) => row.errorCode),
        batch.map((row) => row.errorMessage),
        batch.map((row) => row.durationMs),
        batch.map((row) => row.cached),
        batch.map((row) => row.createdAt.toISOString()),
      ],
    );
  }

  /** Strictly increasing per instance, so calls recorded in the same millisecond still list in the order they ran. */
  private stamp(): Date {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp);
  }

  private dropOldest(): void {
    const excess = this.buffer.length - this.config.bufferMax;
    this.buffer.splice(0, excess);
    this.dropped += excess;
    this.warn(`tool invocation buffer full (${this.config.bufferMax}): ${this.dropped} oldest row(s) dropped so far`);
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.error(message);
  }
}
