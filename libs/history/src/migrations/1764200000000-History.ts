import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Conversations, their messages and the tool invocation log, with an index for every list query and the purge. */
export class History1764200000000 implements MigrationInterface {
  name = 'History1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "conversations" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "agent_id" uuid,
        "title" varchar(200) NOT NULL,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "last_sequence" integer NOT NULL DEFAULT 0,
        "last_message_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "conversations_user_created_idx" ON "conversations" ("user_id", "created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "conversations_created_idx" ON "conversations" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "conversations_activity_idx" ON "conversations" ((coalesce("last_message_at", "created_at")))`);
    await queryRunner.query(`
      CREATE TABLE "messages" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "conversation_id" uuid NOT NULL REFERENCES "conversations" ("id") ON DELETE CASCADE,
        "sequence" integer NOT NULL,
        "role" varchar(16) NOT NULL CONSTRAINT "messages_role_check" CHECK ("role" IN ('system', 'user', 'assistant', 'tool')),
        "content" text NOT NULL,
        "tool_calls" jsonb,
        "tool_call_id" varchar(128),
        "token_usage" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "messages_conversation_sequence_key" UNIQUE ("conversation_id", "sequence")
      )`);
    // No foreign keys: rows arrive in batches after the call, and must not fail because a user or run went away.
    await queryRunner.query(`
      CREATE TABLE "tool_invocations" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid NOT NULL,
        "tool_name" varchar(64) NOT NULL,
        "source" varchar(8) NOT NULL CONSTRAINT "tool_invocations_source_check" CHECK ("source" IN ('rest', 'mcp', 'agent')),
        "conversation_id" uuid,
        "run_id" uuid,
        "arguments" jsonb NOT NULL DEFAULT '{}',
        "result" jsonb,
        "status" varchar(16) NOT NULL CONSTRAINT "tool_invocations_status_check" CHECK ("status" IN ('ok', 'error', 'timeout', 'cancelled')),
        "error_code" varchar(64),
        "error_message" text,
        "duration_ms" integer NOT NULL,
        "cached" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "tool_invocations_user_created_idx" ON "tool_invocations" ("user_id", "created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "tool_invocations_created_idx" ON "tool_invocations" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "tool_invocations_tool_created_idx" ON "tool_invocations" ("tool_name", "created_at" DESC)`);
    await queryRunner.query(`CREATE INDEX "tool_invocations_conversation_idx" ON "tool_invocations" ("conversation_id", "created_at" DESC) WHERE "conversation_id" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tool_invocations"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP TABLE "conversations"`);
  }
}
