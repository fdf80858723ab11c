import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert channels and rules, the alert history, the rules' evaluation state (also kept in Redis, so either one may be
 * down), and the lease that picks the evaluating instance while Redis is.
 */
export class Alerting1764700000000 implements MigrationInterface {
  name = 'Alerting1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "alert_channels" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "name" varchar(64) NOT NULL CONSTRAINT "alert_channels_name_key" UNIQUE,
        "kind" varchar(16) NOT NULL CONSTRAINT "alert_channels_kind_check" CHECK ("kind" IN ('slack', 'pagerduty', 'webhook', 'email', 'sms')),
        "config" jsonb NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "source" varchar(16) NOT NULL DEFAULT 'api' CONSTRAINT "alert_channels_source_check" CHECK ("source" IN ('api', 'environment')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "alert_channels_created_idx" ON "alert_channels" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`
      CREATE TABLE "alert_rules" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "name" varchar(64) NOT NULL CONSTRAINT "alert_rules_name_key" UNIQUE,
        "kind" varchar(32) NOT NULL
          CONSTRAINT "alert_rules_kind_check" CHECK ("kind" IN ('dependency_down', 'http_error_rate', 'http_latency_p95', 'tool_error_rate')),
        "enabled" boolean NOT NULL DEFAULT true,
        "severity" varchar(16) NOT NULL CONSTRAINT "alert_rules_severity_check" CHECK ("severity" IN ('critical', 'error', 'warning', 'info')),
        "target" varchar(200),
        "threshold" double precision,
        "window_seconds" integer CONSTRAINT "alert_rules_window_check" CHECK ("window_seconds" > 0),
        "min_samples" integer CONSTRAINT "alert_rules_min_samples_check" CHECK ("min_samples" >= 0),
        "consecutive_breaches" integer NOT NULL DEFAULT 1 CONSTRAINT "alert_rules_consecutive_check" CHECK ("consecutive_breaches" > 0),
        "cooldown_seconds" integer NOT NULL CONSTRAINT "alert_rules_cooldown_check" CHECK ("cooldown_seconds" >= 0),
        "channel_ids" uuid[],
        "source" varchar(16) NOT NULL DEFAULT 'api' CONSTRAINT "alert_rules_source_check" CHECK ("source" IN ('api', 'environment')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "alert_rules_created_idx" ON "alert_rules" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`
      CREATE TABLE "alerts" (
        "id" uuid PRIMARY KEY,
        "rule_id" uuid REFERENCES "alert_rules" ("id") ON DELETE SET NULL,
        "rule_name" varchar(64) NOT NULL,
        "rule_kind" varchar(32) NOT NULL,
        "subject" varchar(200) NOT NULL DEFAULT '',
        "severity" varchar(16) NOT NULL,
        "state" varchar(16) NOT NULL CONSTRAINT "alerts_state_check" CHECK ("state" IN ('firing', 'resolved')),
        "summary" text NOT NULL,
        "value" double precision,
        "threshold" double precision,
        "dedup_key" varchar(200) NOT NULL,
        "started_at" timestamptz NOT NULL,
        "resolved_at" timestamptz,
        "notifications" jsonb NOT NULL DEFAULT '[]',
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "alerts_created_idx" ON "alerts" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "alerts_rule_idx" ON "alerts" ("rule_id", "created_at" DESC)`);
    await queryRunner.query(`CREATE INDEX "alerts_firing_idx" ON "alerts" ("state") WHERE "state" = 'firing'`);
    await queryRunner.query(`
      CREATE TABLE "alert_rule_states" (
        "rule_id" uuid NOT NULL REFERENCES "alert_rules" ("id") ON DELETE CASCADE,
        "subject" varchar(200) NOT NULL,
        "state" jsonb NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("rule_id", "subject")
      )`);
    await queryRunner.query(`
      CREATE TABLE "alert_evaluation_leases" (
        "name" varchar(64) PRIMARY KEY,
        "holder" varchar(64) NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert_evaluation_leases"`);
    await queryRunner.query(`DROP TABLE "alert_rule_states"`);
    await queryRunner.query(`DROP TABLE "alerts"`);
    await queryRunner.query(`DROP TABLE "alert_rules"`);
    await queryRunner.query(`DROP TABLE "alert_channels"`);
  }
}
