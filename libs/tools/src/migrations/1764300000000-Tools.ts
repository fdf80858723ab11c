import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tool registry. */
export class Tools1764300000000 implements MigrationInterface {
  name = 'Tools1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "tools" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "name" varchar(64) NOT NULL CONSTRAINT "tools_name_key" UNIQUE CONSTRAINT "tools_name_check" CHECK ("name" ~ '^[a-zA-Z0-9_.-]{1,64}$'),
        "title" varchar(200),
        "description" text NOT NULL DEFAULT '',
        "kind" varchar(16) NOT NULL CONSTRAINT "tools_kind_check" CHECK ("kind" IN ('builtin', 'http', 'mcp', 'agent')),
        "input_schema" jsonb NOT NULL,
        "output_schema" jsonb,
        "annotations" jsonb NOT NULL DEFAULT '{}',
        "config" jsonb NOT NULL DEFAULT '{}',
        "enabled" boolean NOT NULL DEFAULT true,
        "timeout_ms" integer NOT NULL DEFAULT 30000,
        "cache_ttl_seconds" integer NOT NULL DEFAULT 0,
        "allowed_roles" text[] NOT NULL DEFAULT '{admin,member}',
        "version" integer NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "tools_created_idx" ON "tools" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "tools_kind_idx" ON "tools" ("kind")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tools"`);
  }
}
