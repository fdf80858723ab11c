import type { DatabaseSchema } from './data-source-options.js';
import { Foundation1764000000000 } from './migrations/1764000000000-Foundation.js';
import { SystemMetadata } from './system-metadata.entity.js';

/** Core's part of the schema; the server joins every lib's part into the one DataSource. */
export const CORE_SCHEMA: DatabaseSchema = {
  entities: [SystemMetadata],
  migrations: [Foundation1764000000000],
};
