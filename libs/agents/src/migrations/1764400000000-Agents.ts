import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents and their runs, with an index for every list query and for finding runs still in flight. */
export class Agents1764400000000 implements MigrationInterface {
  name = 'Agents1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agents" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "name" varchar(58) NOT NULL CONSTRAINT "agents_name_key" UNIQUE CONSTRAINT "agents_name_check" CHECK ("name" ~ '^[a-zA-Z0-9_-]{1,58}$'),
        "description" text NOT NULL DEFAULT '',
        "system_prompt" text NOT NULL DEFAULT '',
        "model" varchar(200) NOT NULL,
        "model_parameters" jsonb NOT NULL DEFAULT '{}',
        "tools" text[] NOT NULL DEFAULT '{}',
        "max_steps" integer NOT NULL DEFAULT 10 CONSTRAINT "agents_max_steps_check" CHECK ("max_steps" > 0),
        "timeout_ms" integer NOT NULL DEFAULT 120000 CONSTRAINT "agents_timeout_ms_check" CHECK ("timeout_ms" > 0),
        "kind" varchar(16) NOT NULL DEFAULT 'single' CONSTRAINT "agents_kind_check" CHECK ("kind" IN ('single', 'supervisor', 'sequential', 'parallel')),
        "members" uuid[] NOT NULL DEFAULT '{}',
        "version" integer NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "agents_created_idx" ON "agents" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`
      CREATE TABLE "agent_runs" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "agent_id" uuid REFERENCES "agents" ("id") ON DELETE SET NULL,
        "agent_name" varchar(58) NOT NULL,
        "agent_version" integer NOT NULL,
        "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "conversation_id" uuid REFERENCES "conversations" ("id") ON DELETE SET NULL,
        "parent_run_id" uuid REFERENCES "agent_runs" ("id") ON DELETE CASCADE,
        "status" varchar(16) NOT NULL DEFAULT 'queued'
          CONSTRAINT "agent_runs_status_check" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
        "mode" varchar(16) NOT NULL CONSTRAINT "agent_runs_mode_check" CHECK ("mode" IN ('wait', 'stream', 'background')),
        "input" text NOT NULL,
        "output" text,
        "steps" jsonb NOT NULL DEFAULT '[]',
        "input_tokens" integer NOT NULL DEFAULT 0,
        "output_tokens" integer NOT NULL DEFAULT 0,
        "total_tokens" integer NOT NULL DEFAULT 0,
        "error_code" varchar(64),
        "error_message" text,
        "started_at" timestamptz,
        "finished_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "agent_runs_user_created_idx" ON "agent_runs" ("user_id", "created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "agent_runs_created_idx" ON "agent_runs" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "agent_runs_agent_idx" ON "agent_runs" ("agent_id", "created_at" DESC)`);
    await queryRunner.query(`CREATE INDEX "agent_runs_conversation_idx" ON "agent_runs" ("conversation_id") WHERE "conversation_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "agent_runs_parent_idx" ON "agent_runs" ("parent_run_id") WHERE "parent_run_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "agent_runs_active_idx" ON "agent_runs" ("status") WHERE "status" IN ('queued', 'running')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "agent_runs"`);
    await queryRunner.query(`DROP TABLE "agents"`);
  }
}
