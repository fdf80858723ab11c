import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LogThrottle, RedisService } from '@app/core';
import type { RuleState } from './rule-state.js';

export interface StateEntry {
  ruleId: string;
  subject: string;
  state: RuleState;
}

export function stateKey(ruleId: string, subject: string): string {
  return `${ruleId}|${subject}`;
}

/**
 * The rules' states, so that whichever instance evaluates next carries on where the last one stopped. Written to the
 * database and to Redis (when configured) and kept in memory; read from all three, the most recently updated copy
 * winning, so either shared store may be down (it may be the very dependency an alert is about).
 */
@Injectable()
export class RuleStateStore {
  private readonly logger = new Logger(RuleStateStore.name);
  private readonly warnings = new LogThrottle(60_000);
  private readonly memory = new Map<string, StateEntry>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
  ) {}

  async load(): Promise<Map<string, StateEntry>> {
    const merged = new Map(this.memory);
    const keep = (entry: StateEntry) => {
      const key = stateKey(entry.ruleId, entry.subject);
      if ((merged.get(key)?.state.updatedAt ?? -1) < entry.state.updatedAt) merged.set(key, entry);
    };
    const [fromDatabase, fromRedis] = await Promise.all([this.fromDatabase(), this.fromRedis()]);
    [...fromDatabase, ...fromRedis].forEach(keep);
    return merged;
  }

  async save(entries: StateEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) this.memory.set(stateKey(entry.ruleId, entry.subject), entry);
    await Promise.all([this.toDatabase(entries), this.toRedis(entries)]);
  }

  /** Forgets a deleted rule's states (the database drops them with the rule). */
  async forget(ruleId: string): Promise<void> {
    const keys = [...this.memory.keys()].filter((key) => key.startsWith(`${ruleId}|`));
    keys.forEach((key) => this.memory.delete(key));
    if (this.redis.configured && keys.length > 0) await this.redis.run((client) => client.hDel(this.hashKey(), keys)).catch(() => undefined);
  }

  private async fromDatabase(): Promise<StateEntry[]> {
    try {
      const rows: { rule_id: string; subject: string; state: RuleState }[] = await this.dataSource.query(`SELECT "rule_id", "subject", "state" FROM "alert_rule_states"`);
      return rows.map((row) => ({ ruleId: row.rule_id, subject: row.subject, state: row.state }));
    } catch (error) {
      this.warn(`rule states not read from the database: ${(error as Error).message}`);
      return [];
    }
  }

  private async fromRedis(): Promise<StateEntry[]> {
    if (!this.redis.configured) return [];
    try {
      const hash = await this.redis.run((client) => client.hGetAll(this.hashKey()));
      return Object.values(hash).map((json) => JSON.parse(json) as StateEntry);
    } catch (error) {
      this.warn(`rule states not read from Redis: ${(error as Error).message}`);
      return [];
    }
  }

  private async toDatabase(entries: StateEntry[]): Promise<void> {
    const rows = entries.map((entry) => ({ rule_id: entry.ruleId, subject: entry.subject, state: entry.state, updated_at: new Date(entry.state.updatedAt).toISOString() }));
    // Rows of a rule deleted meanwhile are skipped rather than failing the whole write.
    await this.dataSource
      .query(
        `INSERT INTO "alert_rule_states" ("rule_id", "subject", "state", "updated_at")
         SELECT s.rule_id, s.subject, s.state, s.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS s(rule_id uuid, subject varchar, state jsonb, updated_at timestamptz)
         WHERE EXISTS (SELECT 1 FROM "alert_rules" r WHERE r.id = s.rule_id)
         ON CONFLICT ("rule_id", "subject") DO UPDATE SET "state" = EXCLUDED."state", "updated_at" = EXCLUDED."updated_at"`,
        [JSON.stringify(rows)],
      )
      .catch((error: Error) => this.warn(`rule states not written to the database: ${error.message}`));
  }

  private async toRedis(entries: StateEntry[]): Promise<void> {
    if (!this.redis.configured) return;
    const fields = Object.fromEntries(entries.map((entry) => [stateKey(entry.ruleId, entry.subject), JSON.stringify(entry)]));
    await this.redis.run((client) => client.hSet(this.hashKey(), fields)).catch((error: Error) => this.warn(`rule states not written to Redis: ${error.message}`));
  }

  private hashKey(): string {
    return this.redis.key('alerts:rule-states');
  }

  private warn(message: string): void {
    if (this.warnings.allow()) this.logger.warn(message);
  }
}
