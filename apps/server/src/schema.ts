import { AGENTS_SCHEMA } from '@app/agents';
import { CORE_SCHEMA, DatabaseSchema } from '@app/core';
import { HISTORY_SCHEMA } from '@app/history';
import { TOOLS_SCHEMA } from '@app/tools';
import { USERS_SCHEMA } from '@app/users';

/** Every lib's entities and migrations: the one schema the app and the TypeORM CLI (ormconfig.ts) use. */
export const SCHEMA: DatabaseSchema = {
  entities: [...CORE_SCHEMA.entities, ...USERS_SCHEMA.entities, ...HISTORY_SCHEMA.entities, ...TOOLS_SCHEMA.entities, ...AGENTS_SCHEMA.entities],
  migrations: [...CORE_SCHEMA.migrations, ...USERS_SCHEMA.migrations, ...HISTORY_SCHEMA.migrations, ...TOOLS_SCHEMA.migrations, ...AGENTS_SCHEMA.migrations],
};
