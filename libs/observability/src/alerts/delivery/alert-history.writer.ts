import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LogThrottle } from '@app/core';
import type { Alert, NotificationRecord } from '../entities/alert.entity.js';

type Write = { describe: string; run: (dataSource: DataSource) => Promise<unknown> };

/** Writes held while the database is away; past this the oldest are dropped (and said so). */
const MAX_PENDING = 1000;

const ALERT_COLUMNS = `"id", "rule_id", "rule_name", "rule_kind", "subject", "severity", "state", "summary", "value", "threshold", "dedup_key", "started_at", "resolved_at", "created_at", "updated_at"`;

function alertRow(alert: Alert): unknown[] {
  return [alert.id, alert.ruleId, alert.ruleName, alert.ruleKind, alert.subject, alert.severity, alert.state, alert.summary, alert.value, alert.threshold, alert.dedupKey, alert.startedAt, alert.resolvedAt, alert.startedAt, new Date()];
}

/** A database that answered and refused the write (bad data, a constraint): retrying would block the queue for good. */
function refusedForGood(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

/**
 * The alert history's writes, in order, off the evaluation's and the deliveries' critical path: an alert must go out
 * while the database is down (it may be what the alert is about), and its record follows once the database is back.
 * Every write is idempotent, so a retried write or one instance's late write never undoes another's.
 */
@Injectable()
export class AlertHistoryWriter {
  private readonly logger = new Logger(AlertHistoryWriter.name);
  private readonly warnings = new LogThrottle(60_000);
  private readonly pending: Write[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  /** A new incident; written once (a late duplicate changes nothing). */
  opened(alert: Alert): Promise<void> {
    return this.enqueue({
      describe: `alert ${alert.id} opened`,
      run: (db) => db.query(`INSERT INTO "alerts" (${ALERT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT ("id") DO NOTHING`, alertRow(alert)),
    });
  }

  /** The incident resolved; written whole, in case its opening never reached the database. */
  resolved(alert: Alert): Promise<void> {
    return this.enqueue({
      describe: `alert ${alert.id} resolved`,
      run: (db) =>
        db.query(
          `INSERT INTO "alerts" (${ALERT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
           ON CONFLICT ("id") DO UPDATE SET "state" = 'resolved', "resolved_at" = EXCLUDED."resolved_at", "updated_at" = EXCLUDED."updated_at"`,
          alertRow(alert),
        ),
    });
  }

  /** Where one channel's notification of one event stands; replaces that channel's earlier record of the event. */
  delivery(alertId: string, record: NotificationRecord): Promise<void> {
    return this.enqueue({
      describe: `delivery of alert ${alertId} to ${record.channelName}`,
      run: (db) =>
        db.query(
          `UPDATE "alerts" SET "updated_at" = now(), "notifications" = COALESCE((
             SELECT jsonb_agg(item) FROM jsonb_array_elements("notifications") AS item
             WHERE NOT (item->>'channelId' = $2 AND item->>'event' = $3)), '[]'::jsonb) || jsonb_build_array($4::jsonb)
           WHERE "id" = $1`,
          [alertId, record.channelId, record.event, JSON.stringify(record)],
        ),
    });
  }

  /** Writes whatever is waiting; resolves when the queue is empty or the database refused (it is tried again later). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  get backlog(): number {
    return this.pending.length;
  }

  private enqueue(write: Write): Promise<void> {
    this.pending.push(write);
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.shift()!;
      this.logger.error(`alert history backlog full: dropped the write "${dropped.describe}"`);
    }
    return this.flush();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      try {
        await this.pending[0].run(this.dataSource);
        this.pending.shift();
      } catch (error) {
        if (refusedForGood(error)) {
          this.logger.error(`alert history write "${this.pending.shift()!.describe}" refused, dropped: ${(error as Error).message}`);
          continue;
        }
        if (this.warnings.allow()) this.logger.warn(`alert history not written yet (${this.pending.length} waiting): ${(error as Error).message}`);
        return;
      }
    }
  }
}
