import type { DatabaseSchema } from '@app/core';
import { ApiKey } from './entities/api-key.entity.js';
import { AuditEvent } from './entities/audit-event.entity.js';
import { User } from './entities/user.entity.js';
import { Users1764100000000 } from './migrations/1764100000000-Users.js';

/** The users lib's part of the schema. */
export const USERS_SCHEMA: DatabaseSchema = {
  entities: [User, ApiKey, AuditEvent],
  migrations: [Users1764100000000],
};
