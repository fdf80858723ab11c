export * from './entities/conversation.entity.js';
export * from './entities/message.entity.js';
export * from './entities/tool-invocation.entity.js';
export { HISTORY_SCHEMA } from './history-schema.js';
