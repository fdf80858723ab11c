import type { DatabaseSchema } from '@app/core';
import { Tool } from './entities/tool.entity.js';
import { Tools1764300000000 } from './migrations/1764300000000-Tools.js';

/** The tools lib's part of the schema. */
export const TOOLS_SCHEMA: DatabaseSchema = {
  entities: [Tool],
  migrations: [Tools1764300000000],
};
