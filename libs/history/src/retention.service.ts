import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { historyConfig, LockService, type LockResult } from '@app/core';

export interface PurgeCounts {
  conversations: number;
  toolInvocations: number;
}

const DAY_MS = 86_400_000;
const FIRST_RUN_DELAY_MS = 5000;
const LOCK_NAME = 'history-retention';
// A conversation takes its messages with it (ON DELETE CASCADE), so fewer of them go per statement.
const CONVERSATION_BATCH = 200;
const INVOCATION_BATCH = 1000;

/**
 * Deletes history past HISTORY_RETENTION_DAYS: conversations idle that long (with their messages) and tool invocations
 * that old. Runs shortly after boot and every HISTORY_RETENTION_INTERVAL_MINUTES, on one instance at a time (a Redis
 * lock), in small batches so no purge holds a long transaction.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(
    @Inject(historyConfig.KEY) private readonly config: ConfigType<typeof historyConfig>,
    private readonly dataSource: DataSource,
    private readonly locks: LockService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays <= 0) return;
    const tick = () => void this.runScheduled().catch((error: Error) => this.logger.error(`history purge failed: ${error.message}`));
    this.timers.push(setTimeout(tick, FIRST_RUN_DELAY_MS).unref(), setInterval(tick, this.config.retentionIntervalMs).unref());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
  }

  /** One scheduled run: purges unless another instance is purging (or Redis can't say whether one is). */
  runScheduled(): Promise<LockResult<PurgeCounts>> {
    // The lock lasts one interval at most, so a crashed holder delays the next purge by one run, no more.
    return this.locks.runExclusive(LOCK_NAME, this.config.retentionIntervalMs, () => this.purge());
  }

  async purge(now = new Date()): Promise<PurgeCounts> {
    // 0 keeps history forever, even when purge is called by hand.
    if (this.config.retentionDays <= 0) return { conversations: 0, toolInvocations: 0 };
    const cutoff = new Date(now.getTime() - this.config.retentionDays * DAY_MS);
    const conversations = await this.deleteInBatches(
      'conversations',
      'coalesce("last_message_at", "created_at") < $1',
      cutoff,
      CONVERSATION_BATCH,
    );
    const toolInvocations = await this.deleteInBatches('tool_invocations', '"created_at" < $1', cutoff, INVOCATION_BATCH);
    this.logger.log(
      `history purged before ${cutoff.toISOString()}: ${conversations} conversation(s), ${toolInvocations} tool invocation(s)`,
    );
    return { conversations, toolInvocations };
  }

  private async deleteInBatches(table: string, condition: string, cutoff: Date, batchSize: number): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      // Counted through RETURNING: the embedded driver reports no row count for a plain DELETE.
      const [{ count }]: { count: number }[] = await this.dataSource.query(
        `WITH deleted AS (
           DELETE FROM "${table}" WHERE "id" IN (SELECT "id" FROM "${table}" WHERE ${condition} LIMIT ${batchSize}) RETURNING 1
         ) SELECT count(*)::int AS "count" FROM deleted`,
        [cutoff],
      );
      total += count;
      if (count < batchSize) break;
    }
    return total;
  }
}
