import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, their API keys (prefix + hash only) and the audit trail, with an index for every list query. */
export class Users1764100000000 implements MigrationInterface {
  name = 'Users1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "email" varchar(320) NOT NULL,
        "name" varchar(200) NOT NULL,
        "role" varchar(16) NOT NULL CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member')),
        "status" varchar(16) NOT NULL DEFAULT 'active' CONSTRAINT "users_status_check" CHECK ("status" IN ('active', 'disabled')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);
    await queryRunner.query(`CREATE INDEX "users_created_at_id_idx" ON "users" ("created_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "api_keys" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "name" varchar(100) NOT NULL,
        "prefix" varchar(32) NOT NULL CONSTRAINT "api_keys_prefix_key" UNIQUE,
        "secret_hash" char(64) NOT NULL,
        "scopes" text[] NOT NULL DEFAULT '{}',
        "expires_at" timestamptz,
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "api_keys_user_id_created_at_idx" ON "api_keys" ("user_id", "created_at")`);
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "actor_id" uuid,
        "actor_key_id" uuid,
        "action" varchar(100) NOT NULL,
        "target_type" varchar(50),
        "target_id" varchar(100),
        "request_id" varchar(128),
        "ip" varchar(64),
        "details" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_created_at_id_idx" ON "audit_events" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "audit_events_actor_created_at_idx" ON "audit_events" ("actor_id", "created_at" DESC)`);
    await queryRunner.query(`CREATE INDEX "audit_events_action_created_at_idx" ON "audit_events" ("action", "created_at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
