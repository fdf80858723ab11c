import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { agentsConfig, ClusterBus, historyConfig, LogThrottle, RedisService } from '@app/core';
import { MemoryRunEventStore, RedisRunEventStore, type RunEventStore } from './run-event-store.js';
import { toStreamEvent, type LoggedRunEvent } from './run-stream-events.js';
import type { RunEventWriter } from './write-behind-sink.js';

/** Tells every instance that a run's log grew, so its followers read on at once. */
const APPENDED_TOPIC = 'agents.run-events.appended';

/** Resolves true when the run's log grows, false when the wait times out or is aborted. */
export interface AppendWait {
  appended: Promise<boolean>;
  cancel(): void;
}

/**
 * Each run's events as its followers get them, on every instance: a Redis stream per run (memory in embedded mode),
 * kept AGENT_RUN_EVENTS_TTL_SECONDS after its last event. The instance running a run is its only writer. The log is
 * a convenience for followers, never the record: a write that fails is logged and the run goes on.
 */
@Injectable()
export class RunEventLog implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RunEventLog.name);
  private readonly warnings = new LogThrottle(10_000);
  private readonly store: RunEventStore;
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(agentsConfig.KEY) config: ConfigType<typeof agentsConfig>,
    @Inject(historyConfig.KEY) private readonly history: ConfigType<typeof historyConfig>,
    redis: RedisService,
    private readonly bus: ClusterBus,
  ) {
    this.store = redis.configured ? new RedisRunEventStore(redis, config.eventsTtlMs) : new MemoryRunEventStore(config.eventsTtlMs);
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe<{ runId: string }>(APPENDED_TOPIC, ({ runId }) => this.wake(runId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Logs a run's events in order, numbered on from lastId: a batch is one write to the store and one wake-up. */
  writerFor(runId: string, lastId = 0): RunEventWriter {
    let id = lastId;
    let tail = Promise.resolve();
    return (events) => {
      const logged: LoggedRunEvent[] = [];
      for (const event of events) {
        const streamed = toStreamEvent(event, this.history.resultMaxBytes);
        if (streamed) logged.push({ id: ++id, event: streamed });
      }
      if (logged.length === 0) return tail;
      // Batches written at once must reach the store in the order they were numbered.
      tail = tail.then(() => this.append(runId, logged));
      return tail;
    };
  }

  async after(runId: string, afterId: number): Promise<LoggedRunEvent[]> {
    try {
      return await this.store.after(runId, afterId);
    } catch (error) {
      this.warn(`events of run ${runId} not read: ${(error as Error).message}`);
      return [];
    }
  }

  /** Starts waiting for the run's next event; start before reading, so an event appended in between is not missed. */
  nextAppend(runId: string, timeoutMs: number, signal: AbortSignal): AppendWait {
    let settle!: (appended: boolean) => void;
    const appended = new Promise<boolean>((resolve) => (settle = resolve));
    let set = this.waiters.get(runId);
    if (!set) this.waiters.set(runId, (set = new Set()));
    const waiters = set;
    const onAppend = () => finish(true);
    const onAbort = () => finish(false);
    const timer = setTimeout(onAbort, timeoutMs);
    const finish = (result: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      waiters.delete(onAppend);
      if (waiters.size === 0 && this.waiters.get(runId) === waiters) this.waiters.delete(runId);
      settle(result);
    };
    waiters.add(onAppend);
    if (signal.aborted) finish(false);
    else signal.addEventListener('abort', onAbort, { once: true });
    return { appended, cancel: () => finish(false) };
  }

  private async append(runId: string, events: LoggedRunEvent[]): Promise<void> {
    try {
      await this.store.append(runId, events);
    } catch (error) {
      this.warn(`events ${events[0].id}–${events.at(-1)!.id} of run ${runId} not logged: ${(error as Error).message}`);
      return;
    }
    void this.bus.publish(APPENDED_TOPIC, { runId });
  }

  private wake(runId: string): void {
    for (const waiter of [...(this.waiters.get(runId) ?? [])]) waiter();
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
