import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { alertingConfig, LogThrottle, RedisService } from '@app/core';

const SLOT = 'alert-evaluation';

/**
 * Decides which instance evaluates the rules this interval. Unlike LockService, the claim is not released when the
 * evaluation ends: it expires just short of one interval, so a cluster evaluates about once per interval, however
 * many instances tick. Through Redis (SET NX PX); while Redis is configured but unreachable (an alert it must raise),
 * through a lease row in the database; with neither answering, every instance evaluates: a duplicate page beats
 * silence. Without Redis (embedded mode) there is one instance.
 */
@Injectable()
export class EvaluationSlot {
  private readonly logger = new Logger(EvaluationSlot.name);
  private readonly warnings = new LogThrottle(60_000);
  private readonly holder = randomUUID();
  private readonly slotMs: number;

  constructor(
    @Inject(alertingConfig.KEY) config: ConfigType<typeof alertingConfig>,
    private readonly redis: RedisService,
    private readonly dataSource: DataSource,
  ) {
    this.slotMs = Math.max(1, Math.floor(config.evalIntervalMs * 0.9));
  }

  async claim(): Promise<boolean> {
    if (!this.redis.configured) return true;
    if (this.redis.ready) {
      try {
        const reply = await this.redis.run((client) => client.set(this.redis.key(`alerts:${SLOT}`), this.holder, { condition: 'NX', expiration: { type: 'PX', value: this.slotMs } }));
        return reply === 'OK';
      } catch (error) {
        this.warn(`Redis did not answer (${(error as Error).message}); the database picks the evaluating instance`);
      }
    }
    return this.claimInDatabase();
  }

  private async claimInDatabase(): Promise<boolean> {
    try {
      const rows: unknown[] = await this.dataSource.query(
        `INSERT INTO "alert_evaluation_leases" ("name", "holder", "expires_at") VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"
         WHERE "alert_evaluation_leases"."expires_at" <= now()
         RETURNING "holder"`,
        [SLOT, this.holder, this.slotMs / 1000],
      );
      return rows.length > 0;
    } catch (error) {
      this.warn(`neither Redis nor the database can pick the evaluating instance (${(error as Error).message}); evaluating here`);
      return true;
    }
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
