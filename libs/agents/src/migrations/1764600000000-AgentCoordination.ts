import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Coordination: each run knows the root of its tree of delegations, and a parallel coordinator may name an aggregator. */
export class AgentCoordination1764600000000 implements MigrationInterface {
  name = 'AgentCoordination1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_runs" ADD COLUMN "root_run_id" uuid REFERENCES "agent_runs" ("id") ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX "agent_runs_root_idx" ON "agent_runs" ("root_run_id") WHERE "root_run_id" IS NOT NULL`);
    // No cascade: an agent that aggregates for a coordinator can't be deleted (AGENT_IN_USE is checked first).
    await queryRunner.query(`ALTER TABLE "agents" ADD COLUMN "aggregator_id" uuid REFERENCES "agents" ("id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "aggregator_id"`);
    await queryRunner.query(`DROP INDEX "agent_runs_root_idx"`);
    await queryRunner.query(`ALTER TABLE "agent_runs" DROP COLUMN "root_run_id"`);
  }
}
