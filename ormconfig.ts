import { DataSource } from 'typeorm';
import { buildDataSourceOptions, databaseConfig } from '@app/core';
import { SCHEMA } from './apps/server/src/schema.js';

/**
 * The DataSource for the TypeORM CLI (`npm run migration:*`), built by the same function the app uses, from the
 * same DATABASE_URL / DATA_DIR. The CLI runs migrations itself, so none run on initialize here.
 */
export default new DataSource(buildDataSourceOptions({ ...databaseConfig(), migrationsRun: false }, SCHEMA));
