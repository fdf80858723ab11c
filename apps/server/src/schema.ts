import { AGENTS_SCHEMA } from '@app/agents';
import { CORE_SCHEMA, DatabaseSchema } from '@app/core';
import { HISTORY_SCHEMA } from '@app/history';
import { ALERTS_SCHEMA } from '@app/observability';
import { TOOLS_SCHEMA } from '@app/tools';
import { USERS_SCHEMA } from '@app/users';

const PARTS = [CORE_SCHEMA, USERS_SCHEMA, HISTORY_SCHEMA, TOOLS_SCHEMA, AGENTS_SCHEMA, ALERTS_SCHEMA];

/** Every lib's entities and migrations: the one schema the app and the TypeORM CLI (ormconfig.ts) use. */
export const SCHEMA: DatabaseSchema = {
  entities: PARTS.flatMap((part) => part.entities),
  migrations: PARTS.flatMap((part) => part.migrations),
};
