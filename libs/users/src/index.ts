export * from './entities/user.entity.js';
export { ApiKey } from './entities/api-key.entity.js';
export { AuditEvent } from './entities/audit-event.entity.js';
export * from './api-key-secret.js';
export { USERS_SCHEMA } from './users-schema.js';
