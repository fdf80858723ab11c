import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { alertingConfig, LogThrottle, RedisService } from '@app/core';
import { Metrics } from '../../metrics.service.js';
import { addCounts, countsSince, readCumulativeCounts, type TrafficCounts } from './traffic-counts.js';

/** The longest window a rule may look at; buckets older than this are dropped. */
export const MAX_WINDOW_SECONDS = 3600;

export interface TrafficReading {
  counts: TrafficCounts;
  /** `cluster` when summed over every instance through Redis; `instance` when only this one's traffic was seen. */
  scope: 'cluster' | 'instance';
}

/**
 * Recent traffic in time buckets one evaluation interval wide. Every instance adds what its Prometheus registry counted
 * since its last tick to the current bucket, in Redis (HINCRBY, so instances add up) and in its own memory. Rules read
 * the cluster's sum from Redis, or this instance's buckets when there is no Redis or it is unreachable.
 */
@Injectable()
export class TrafficWindow {
  private readonly logger = new Logger(TrafficWindow.name);
  private readonly warnings = new LogThrottle(60_000);
  private readonly bucketMs: number;
  private readonly local = new Map<number, TrafficCounts>();
  private last: TrafficCounts = new Map();

  constructor(
    @Inject(alertingConfig.KEY) config: ConfigType<typeof alertingConfig>,
    private readonly metrics: Metrics,
    private readonly redis: RedisService,
  ) {
    this.bucketMs = config.evalIntervalMs;
  }

  /** Adds this instance's traffic since the last call to the current bucket. */
  async record(now = Date.now()): Promise<void> {
    const current = await readCumulativeCounts(this.metrics);
    const delta = countsSince(this.last, current);
    this.last = current;
    const bucket = Math.floor(now / this.bucketMs);
    this.prune(bucket);
    if (delta.size === 0) return;
    this.local.set(bucket, addCounts(this.local.get(bucket) ?? new Map(), delta));
    if (!this.redis.configured) return;
    await this.redis
      .run((client) => {
        const key = this.bucketKey(bucket);
        const batch = client.multi();
        for (const [field, value] of delta) batch.hIncrBy(key, field, value);
        batch.pExpire(key, MAX_WINDOW_SECONDS * 1000 + 2 * this.bucketMs);
        batch.zAdd(this.indexKey(), { score: bucket, value: String(bucket) });
        batch.zRemRangeByScore(this.indexKey(), '-inf', this.oldestBucket(bucket) - 1);
        return batch.exec();
      })
      .catch((error: Error) => this.warn(`traffic not shared with the other instances: ${error.message}`));
  }

  /** The traffic of the last `windowSeconds` (in whole buckets, the current one included). */
  async read(windowSeconds: number, now = Date.now()): Promise<TrafficReading> {
    const newest = Math.floor(now / this.bucketMs);
    const oldest = Math.floor((now - windowSeconds * 1000) / this.bucketMs) + 1;
    if (this.redis.configured) {
      try {
        return { counts: await this.readShared(oldest, newest), scope: 'cluster' };
      } catch (error) {
        this.warn(`rules see this instance's traffic only, Redis did not answer: ${(error as Error).message}`);
      }
    }
    const counts: TrafficCounts = new Map();
    for (const [bucket, bucketCounts] of this.local) if (bucket >= oldest && bucket <= newest) addCounts(counts, bucketCounts);
    return { counts, scope: 'instance' };
  }

  private async readShared(oldest: number, newest: number): Promise<TrafficCounts> {
    return this.redis.run(async (client) => {
      const buckets = await client.zRangeByScore(this.indexKey(), oldest, newest);
      const counts: TrafficCounts = new Map();
      if (buckets.length === 0) return counts;
      const batch = client.multi();
      for (const bucket of buckets) batch.hGetAll(this.bucketKey(Number(bucket)));
      for (const hash of (await batch.exec()) as unknown as Record<string, string>[]) {
        addCounts(counts, Object.entries(hash ?? {}).map(([field, value]) => [field, Number(value)]));
      }
      return counts;
    });
  }

  private prune(newest: number): void {
    const oldest = this.oldestBucket(newest);
    for (const bucket of this.local.keys()) if (bucket < oldest) this.local.delete(bucket);
  }

  private oldestBucket(newest: number): number {
    return newest - Math.ceil((MAX_WINDOW_SECONDS * 1000) / this.bucketMs);
  }

  private bucketKey(bucket: number): string {
    return this.redis.key(`alerts:traffic:${this.bucketMs}:${bucket}`);
  }

  private indexKey(): string {
    return this.redis.key(`alerts:traffic:${this.bucketMs}`);
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
