import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { agentsConfig } from '@app/core';
import { RunInterruption } from './agent-runner.js';

interface HeldRun {
  controller: AbortController;
  done: Promise<void>;
}

const INTERRUPTED = 'The server stopped before the run finished.';
/** After the stop signal, how long a run gets to record how it ended before its row is closed for it. */
const RECORD_GRACE_MS = 2000;

/**
 * The runs this instance is running. It keeps them alive in the database (heartbeatAt, every
 * AGENT_RUN_HEARTBEAT_SECONDS; a run whose cancel was asked for while the bus message was lost stops then), stops one
 * when asked, and on shutdown lets them finish for half of SHUTDOWN_TIMEOUT_MS, then stops the rest as
 * RUN_INTERRUPTED: no run is left `running` by a graceful stop.
 */
@Injectable()
export class ActiveRuns implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ActiveRuns.name);
  private readonly held = new Map<string, HeldRun>();
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private markStopped!: () => void;
  /** Settles once a shutdown has let every held run end (or stopped it). */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(
    @Inject(agentsConfig.KEY) private readonly config: ConfigType<typeof agentsConfig>,
    private readonly dataSource: DataSource,
  ) {}

  /** True once the app is stopping: no run should start here any more. */
  get closing(): boolean {
    return this.stopping;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.heartbeat().catch((error: Error) => this.logger.warn(`run heartbeat failed: ${error.message}`)), this.config.heartbeatMs).unref();
  }

  /** Runs `work` as the run's holder; it gets the signal that cancels the run. Resolves when it ends, never rejects. */
  hold(runId: string, work: (cancel: AbortSignal) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    const entry: HeldRun = { controller, done: Promise.resolve() };
    this.held.set(runId, entry);
    entry.done = work(controller.signal)
      .catch((error: Error) => this.logger.error(`run ${runId} failed outside its loop: ${error.stack ?? error.message}`))
      .finally(() => this.held.delete(runId));
    return entry.done;
  }

  /** Cancels the run if this instance holds it; true when it did. */
  cancel(runId: string): boolean {
    const entry = this.held.get(runId);
    entry?.controller.abort();
    return entry !== undefined;
  }

  async heartbeat(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    const cancelled: { id: string }[] = await this.dataSource.query(
      `WITH beat AS (
         UPDATE agent_runs SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status = 'running' RETURNING id, cancel_requested_at
       ) SELECT id FROM beat WHERE cancel_requested_at IS NOT NULL`,
      [ids],
    );
    for (const { id } of cancelled) this.cancel(id);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.drain().finally(() => this.markStopped());
  }

  private async drain(): Promise<void> {
    if (this.held.size === 0) return;
    this.logger.log(`waiting up to ${this.config.shutdownGraceMs} ms for ${this.held.size} agent run(s) to finish`);
    await this.settled(this.config.shutdownGraceMs);
    for (const { controller } of this.held.values()) controller.abort(new RunInterruption(INTERRUPTED));
    await this.settled(RECORD_GRACE_MS);
    const left = [...this.held.keys()];
    if (left.length === 0) return;
    await this.dataSource
      .query(
        `UPDATE agent_runs SET status = 'failed', error_code = 'RUN_INTERRUPTED', error_message = $2, finished_at = now(), updated_at = now()
         WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
        [left, INTERRUPTED],
      )
      .catch((error: Error) => this.logger.error(`runs ${left.join(', ')} left open: ${error.message}`));
  }

  /** Waits for every held run to end, or for timeoutMs. */
  private async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.held.values()].map((entry) => entry.done)), timeout]);
    clearTimeout(timer);
  }
}
