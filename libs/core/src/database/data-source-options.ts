import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions, EntitySchema } from 'typeorm';
import type { ConfigType } from '@nestjs/config';
import type { databaseConfig } from '../config/configuration.js';
import { ConfigurationError } from '../config/environment.js';
import { pgliteDriver } from './pglite-driver.js';
import { TypeOrmLogger } from './typeorm-logger.js';

export type DatabaseConfig = ConfigType<typeof databaseConfig>;

/** What the app's libs contribute to the one schema: their entities and their migrations. */
export interface DatabaseSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: (Function | EntitySchema)[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The one DataSource definition, used by the app and by ormconfig.ts for the TypeORM CLI.
 * DATABASE_URL selects Postgres; without it an embedded PGlite keeps the same schema in DATA_DIR (or in memory).
 */
export function buildDataSourceOptions(config: DatabaseConfig, schema: DatabaseSchema): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: config.migrationsRun,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    installExtensions: false,
    logging: ['error' as const, 'warn' as const, 'migration' as const],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1000,
  };
  if (config.engine === 'postgres') {
    return {
      ...common,
      url: config.url,
      applicationName: 'mcp-assistant',
      // A dead Postgres must fail queries quickly (503), never hold requests open.
      connectTimeoutMS: 3000,
      extra: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 3000 },
    };
  }
  const dataDir = config.dataDir ? join(config.dataDir, 'pgdata') : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return {
    ...common,
    driver: pgliteDriver({ dataDir, loadDataDir: templateFor(dataDir, config.template) }),
  };
}

/** The template's contents for a database not yet created (in memory, or a data directory without PG_VERSION). */
function templateFor(dataDir: string | undefined, template: string | undefined): Blob | undefined {
  if (!template || (dataDir && existsSync(join(dataDir, 'PG_VERSION')))) return undefined;
  try {
    return new Blob([readFileSync(template)]);
  } catch (error) {
    throw new ConfigurationError(`PGLITE_TEMPLATE: cannot read ${template}: ${(error as Error).message}`);
  }
}
