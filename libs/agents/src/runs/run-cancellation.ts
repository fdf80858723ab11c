import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterBus } from '@app/core';
import type { Principal } from '@app/users';
import { runAlreadyFinished } from '../agents.errors.js';
import { AgentRun, FINAL_RUN_STATUSES } from '../entities/agent-run.entity.js';
import { ActiveRuns } from './active-runs.js';
import { RunEventFollower } from './run-event-follower.js';
import { RunEventLog } from './run-event-log.js';
import { FanOutSink } from './run-events.js';
import { RunObservers } from './run-observers.js';
import { RunsService } from './runs.service.js';
import { writeBehind } from './write-behind-sink.js';

const CANCEL_TOPIC = 'agents.run.cancel';
/** How long a cancel waits for the holder to stop the run, so its answer usually shows it cancelled. */
const SETTLE_WAIT_MS = 2000;
const CANCELLED = { code: 'RUN_CANCELLED', message: 'The run was cancelled.' };

export interface CancelOutcome {
  run: AgentRun;
  /** False while the instance running it has not stopped it yet (it will: a lost message is caught at its heartbeat). */
  settled: boolean;
}

/**
 * Cancels a run wherever it is: a queued one here and now; a running one by whichever instance holds it, told over the
 * cluster bus and, should that message be lost, by the mark its next heartbeat reads.
 */
@Injectable()
export class RunCancellation implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: ClusterBus,
    private readonly runs: RunsService,
    private readonly active: ActiveRuns,
    private readonly log: RunEventLog,
    private readonly follower: RunEventFollower,
    private readonly observers: RunObservers,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe<{ runId: string }>(CANCEL_TOPIC, ({ runId }) => void this.active.cancel(runId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async cancel(principal: Principal, id: string): Promise<CancelOutcome> {
    const run = await this.runs.get(principal, id);
    if (FINAL_RUN_STATUSES.includes(run.status)) throw runAlreadyFinished(id, run.status);
    if (await this.cancelQueued(run)) return { run: await this.runs.get(principal, id), settled: true };
    const marked: unknown[] = await this.dataSource.query(
      `WITH marked AS (
         UPDATE agent_runs SET cancel_requested_at = coalesce(cancel_requested_at, now()) WHERE id = $1 AND status = 'running' RETURNING id
       ) SELECT id FROM marked`,
      [id],
    );
    if (marked.length === 0) {
      const now = await this.runs.get(principal, id);
      throw runAlreadyFinished(id, now.status);
    }
    await this.bus.publish(CANCEL_TOPIC, { runId: id });
    await this.follower.untilEnd(id, SETTLE_WAIT_MS);
    const after = await this.runs.get(principal, id);
    return { run: after, settled: FINAL_RUN_STATUSES.includes(after.status) };
  }

  /** A queued run is cancelled by whoever gets to it first: this UPDATE or the instance that would start it. */
  private async cancelQueued(run: AgentRun): Promise<boolean> {
    if (run.status !== 'queued') return false;
    const cancelled: unknown[] = await this.dataSource.query(
      `WITH cancelled AS (
         UPDATE agent_runs SET status = 'cancelled', error_code = $2, error_message = $3, finished_at = now(), updated_at = now(), principal = NULL
         WHERE id = $1 AND status = 'queued' RETURNING id
       ) SELECT id FROM cancelled`,
      [run.id, CANCELLED.code, CANCELLED.message],
    );
    if (cancelled.length === 0) return false;
    const ended = new FanOutSink([writeBehind(this.log.writerFor(run.id)), this.observers.sinkFor(run.agentName)]);
    await ended.emit({ type: 'run.failed', runId: run.id, status: 'cancelled', ...CANCELLED, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
    return true;
  }
}
