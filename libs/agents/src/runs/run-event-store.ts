import type { RedisService } from '@app/core';
import type { LoggedRunEvent, RunStreamEvent } from './run-stream-events.js';

/** Where a run's events are kept for followers, until ttlMs after the run's last one. */
export interface RunEventStore {
  /** Events numbered after the run's last one, in order. */
  append(runId: string, events: readonly LoggedRunEvent[]): Promise<void>;
  /** The run's events with an id above afterId, oldest first (at most a page of them). */
  after(runId: string, afterId: number): Promise<LoggedRunEvent[]>;
}

const PAGE = 500;

/**
 * A Redis stream per run, readable from every instance. Entry ids are `0-<event id>`: the instance running the run is
 * the only writer and numbers its events itself, so the ids clients see are 1, 2, 3… and resuming is an XRANGE.
 */
export class RedisRunEventStore implements RunEventStore {
  constructor(
    private readonly redis: RedisService,
    private readonly ttlMs: number,
  ) {}

  async append(runId: string, events: readonly LoggedRunEvent[]): Promise<void> {
    const key = this.key(runId);
    await this.redis.run((client) => {
      const transaction = client.multi();
      for (const { id, event } of events) transaction.xAdd(key, `0-${id}`, { event: JSON.stringify(event) });
      return transaction.pExpire(key, this.ttlMs).exec();
    });
  }

  async after(runId: string, afterId: number): Promise<LoggedRunEvent[]> {
    const entries = await this.redis.run((client) => client.xRange(this.key(runId), `(0-${afterId}`, '+', { COUNT: PAGE }));
    return entries.map((entry) => ({ id: Number(entry.id.slice(2)), event: JSON.parse(String(entry.message.event)) as RunStreamEvent }));
  }

  private key(runId: string): string {
    return this.redis.key(`run-events:${runId}`);
  }
}

/** The embedded mode's store: one instance, so the process's memory; logs idle past the TTL are dropped as others are written. */
export class MemoryRunEventStore implements RunEventStore {
  private readonly logs = new Map<string, { events: LoggedRunEvent[]; touchedAt: number }>();
  private prunedAt = Date.now();

  constructor(private readonly ttlMs: number) {}

  async append(runId: string, events: readonly LoggedRunEvent[]): Promise<void> {
    const now = Date.now();
    this.prune(now);
    let log = this.logs.get(runId);
    if (!log) this.logs.set(runId, (log = { events: [], touchedAt: now }));
    if (events[0].id <= (log.events.at(-1)?.id ?? 0)) throw new Error(`event ${events[0].id} of run ${runId} is not after the last one`);
    log.events.push(...events);
    log.touchedAt = now;
  }

  async after(runId: string, afterId: number): Promise<LoggedRunEvent[]> {
    const log = this.logs.get(runId);
    if (!log || Date.now() - log.touchedAt > this.ttlMs) return [];
    const start = log.events.findIndex((logged) => logged.id > afterId);
    return start < 0 ? [] : log.events.slice(start, start + PAGE);
  }

  private prune(now: number): void {
    if (now - this.prunedAt < Math.min(this.ttlMs, 60_000)) return;
    this.prunedAt = now;
    for (const [runId, log] of this.logs) if (now - log.touchedAt > this.ttlMs) this.logs.delete(runId);
  }
}
