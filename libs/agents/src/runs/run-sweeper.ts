import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { agentsConfig, LockService } from '@app/core';
import type { RunStatus } from '../entities/agent-run.entity.js';
import { RunLauncher } from './run-launcher.js';
import { RunObservers } from './run-observers.js';

const LOCK_NAME = 'agent-run-sweeper';

export interface SweepCounts {
  /** Runs whose instance stopped marking them alive, now failed (or cancelled, when a cancel was waiting). */
  lost: number;
  /** Conversations whose queued run nobody was going to start, started here. */
  restarted: number;
}

/**
 * Looks after runs whose instance is gone, every AGENT_RUN_HEARTBEAT_SECONDS on one instance at a time: a run not
 * marked alive for three heartbeats is failed with INSTANCE_LOST, and a queued run with nothing running ahead of it
 * (its predecessor's instance died before starting it) is started here.
 */
@Injectable()
export class RunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(agentsConfig.KEY) private readonly config: ConfigType<typeof agentsConfig>,
    private readonly dataSource: DataSource,
    private readonly locks: LockService,
    private readonly launcher: RunLauncher,
    private readonly observers: RunObservers,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () =>
      void this.locks.runExclusive(LOCK_NAME, this.config.heartbeatMs, () => this.sweep()).catch((error: Error) => this.logger.warn(`run sweep failed: ${error.message}`));
    this.timer = setInterval(tick, this.config.heartbeatMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<SweepCounts> {
    // Rows of older versions carry no heartbeat: their last write stands in for it (top-level runs only).
    const lost: { agent_name: string; status: RunStatus }[] = await this.dataSource.query(
      `WITH lost AS (
         UPDATE agent_runs SET
           status = CASE WHEN cancel_requested_at IS NULL THEN 'failed' ELSE 'cancelled' END,
           error_code = CASE WHEN cancel_requested_at IS NULL THEN 'INSTANCE_LOST' ELSE 'RUN_CANCELLED' END,
           error_message = CASE WHEN cancel_requested_at IS NULL THEN 'The server running it stopped responding before the run finished.' ELSE 'The run was cancelled.' END,
           finished_at = now(), updated_at = now()
         WHERE status = 'running' AND (heartbeat_at < now() - make_interval(secs => $1)
           OR (heartbeat_at IS NULL AND parent_run_id IS NULL AND updated_at < now() - make_interval(secs => $1)))
         RETURNING agent_name, status
       ) SELECT agent_name, status FROM lost`,
      [this.config.staleAfterMs / 1000],
    );
    for (const run of lost) this.observers.notify({ type: 'run.finished', agent: run.agent_name, status: run.status });
    if (lost.length > 0) this.logger.warn(`${lost.length} agent run(s) failed: their instance stopped marking them alive`);

    const waiting: { conversation_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT queued.conversation_id FROM agent_runs AS queued
       WHERE queued.status = 'queued' AND queued.parent_run_id IS NULL AND NOT EXISTS (
         SELECT 1 FROM agent_runs AS running WHERE running.conversation_id = queued.conversation_id AND running.status = 'running' AND running.parent_run_id IS NULL)`,
    );
    for (const { conversation_id } of waiting) await this.launcher.startNext(conversation_id);
    return { lost: lost.length, restarted: waiting.length };
  }
}
