import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs held by an instance (which one, alive when, asked to cancel), the caller a queued run will act as, and at most
 * one running top-level run per conversation, enforced by the database so it holds across instances.
 */
export class AgentRunModes1764500000000 implements MigrationInterface {
  name = 'AgentRunModes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "agent_runs"
        ADD COLUMN "instance_id" varchar(64),
        ADD COLUMN "heartbeat_at" timestamptz,
        ADD COLUMN "cancel_requested_at" timestamptz,
        ADD COLUMN "principal" jsonb`);
    // Older versions could leave several runs of one conversation running (after a crash); keep the newest.
    await queryRunner.query(`
      UPDATE "agent_runs" AS "run" SET "status" = 'failed', "error_code" = 'RUN_INTERRUPTED',
        "error_message" = 'The run was interrupted before this server version.', "finished_at" = now(), "updated_at" = now()
      WHERE "run"."status" = 'running' AND "run"."parent_run_id" IS NULL AND EXISTS (
        SELECT 1 FROM "agent_runs" AS "newer" WHERE "newer"."conversation_id" = "run"."conversation_id" AND "newer"."status" = 'running'
          AND "newer"."parent_run_id" IS NULL AND ("newer"."created_at", "newer"."id") > ("run"."created_at", "run"."id"))`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "agent_runs_conversation_running_key" ON "agent_runs" ("conversation_id") WHERE "status" = 'running' AND "parent_run_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "agent_runs_conversation_queue_idx" ON "agent_runs" ("conversation_id", "created_at", "id") WHERE "status" = 'queued'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "agent_runs_conversation_queue_idx"`);
    await queryRunner.query(`DROP INDEX "agent_runs_conversation_running_key"`);
    await queryRunner.query(`ALTER TABLE "agent_runs" DROP COLUMN "principal", DROP COLUMN "cancel_requested_at", DROP COLUMN "heartbeat_at", DROP COLUMN "instance_id"`);
  }
}
