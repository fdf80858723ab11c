import type { DatabaseSchema } from '@app/core';
import { Tool } from './entities/tool.entity.js';
import { Tools1764300000000 } from './migrations/1764300000000-Tools.js';
import { UpstreamServers1764310000000 } from './migrations/1764310000000-UpstreamServers.js';
import { UpstreamServer } from './upstreams/upstream-server.entity.js';

/** The tools lib's part of the schema. */
export const TOOLS_SCHEMA: DatabaseSchema = {
  entities: [Tool, UpstreamServer],
  migrations: [Tools1764300000000, UpstreamServers1764310000000],
};
