import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Upstream MCP servers, and an index to find the tools each one imported. */
export class UpstreamServers1764310000000 implements MigrationInterface {
  name = 'UpstreamServers1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "upstream_servers" (
        "id" uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        "name" varchar(32) NOT NULL CONSTRAINT "upstream_servers_name_key" UNIQUE
          CONSTRAINT "upstream_servers_name_check" CHECK ("name" ~ '^[a-zA-Z0-9_-]{1,32}$'),
        "url" text NOT NULL,
        "headers" jsonb NOT NULL DEFAULT '{}',
        "enabled" boolean NOT NULL DEFAULT true,
        "status" varchar(16) NOT NULL DEFAULT 'pending' CONSTRAINT "upstream_servers_status_check" CHECK ("status" IN ('pending', 'ok', 'error')),
        "last_sync_at" timestamptz,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "upstream_servers_created_idx" ON "upstream_servers" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "tools_upstream_idx" ON "tools" (("config" ->> 'upstreamId')) WHERE "kind" = 'mcp'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "tools_upstream_idx"`);
    await queryRunner.query(`DROP TABLE "upstream_servers"`);
  }
}
