import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentRun } from '../entities/agent-run.entity.js';
import { ActiveRuns } from './active-runs.js';
import { RunEventLog } from './run-event-log.js';
import { isTerminal, terminalEventOf, type LoggedRunEvent, type RunStreamEvent } from './run-stream-events.js';

/** With no event for this long, a follower looks at the run's row: it may have ended where no event was logged. */
const IDLE_MS = 1000;
/** A run's terminal event follows its row's final status by moments; past this it is taken as never coming. */
const SETTLE_MS = 2000;

/**
 * Follows a run from any instance: its past events after a given id, then the live ones, until its terminal event.
 * When the log can't give that (it expired, Redis was down, the instance running it died and the sweeper failed it),
 * the terminal event is rebuilt from the run's row, so a follower always ends once the run has.
 */
@Injectable()
export class RunEventFollower implements OnModuleDestroy {
  /** Ends every follow when the app stops, once its own runs have ended: their clients resume elsewhere with Last-Event-ID. */
  private readonly closing = new AbortController();

  constructor(
    private readonly log: RunEventLog,
    private readonly dataSource: DataSource,
    private readonly active: ActiveRuns,
  ) {}

  /** Not awaited: ActiveRuns, which this depends on, is destroyed after it and is what settles `stopped`. */
  onModuleDestroy(): void {
    void this.active.stopped.then(() => this.closing.abort());
  }

  async *follow(runId: string, afterId: number, signal?: AbortSignal): AsyncGenerator<LoggedRunEvent> {
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    if (afterId > 0 && (await this.endedAt(runId, afterId))) return;
    let last = afterId;
    let idle = true;
    while (!signal?.aborted) {
      const next = this.log.nextAppend(runId, IDLE_MS, stop);
      const events = await this.log.after(runId, last);
      if (events.length > 0) {
        next.cancel();
        for (const logged of events) {
          yield logged;
          last = logged.id;
          if (isTerminal(logged.event)) return;
        }
        continue;
      }
      // Stopping: what the log held by now has been sent.
      if (stop.aborted) return;
      if (idle) {
        const ending = await this.endingFromRow(runId);
        if (ending !== undefined) {
          next.cancel();
          if (ending) yield { id: last + 1, event: ending };
          return;
        }
      }
      idle = !(await next.appended);
    }
  }

  /** Resolves once the run has ended, or when timeoutMs (if given) runs out first. */
  async untilEnd(runId: string, timeoutMs?: number): Promise<void> {
    for await (const logged of this.follow(runId, 0, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs))) void logged;
  }

  /** Whether the event the client saw last was the run's terminal one, so there is nothing more to send. */
  private async endedAt(runId: string, id: number): Promise<boolean> {
    const [seen] = await this.log.after(runId, id - 1);
    return seen?.id === id && isTerminal(seen.event);
  }

  /** The terminal event of a run that ended a while ago, null for a run that is gone, undefined while it may go on. */
  private async endingFromRow(runId: string): Promise<RunStreamEvent | null | undefined> {
    const run = await this.dataSource.getRepository(AgentRun).findOneBy({ id: runId });
    if (!run) return null;
    if (!run.finishedAt || Date.now() - run.finishedAt.getTime() < SETTLE_MS) return undefined;
    return terminalEventOf(run);
  }
}
