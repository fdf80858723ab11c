import type { DatabaseSchema } from '@app/core';
import { Conversation } from './entities/conversation.entity.js';
import { Message } from './entities/message.entity.js';
import { ToolInvocation } from './entities/tool-invocation.entity.js';
import { History1764200000000 } from './migrations/1764200000000-History.js';

/** The history lib's part of the schema. */
export const HISTORY_SCHEMA: DatabaseSchema = {
  entities: [Conversation, Message, ToolInvocation],
  migrations: [History1764200000000],
};
