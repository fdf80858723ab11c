import type { DatabaseSchema } from '@app/core';
import { AgentRun } from './entities/agent-run.entity.js';
import { Agent } from './entities/agent.entity.js';
import { Agents1764400000000 } from './migrations/1764400000000-Agents.js';
import { AgentCoordination1764600000000 } from './migrations/1764600000000-AgentCoordination.js';
import { AgentRunModes1764500000000 } from './migrations/1764500000000-AgentRunModes.js';

/** The agents lib's part of the schema. */
export const AGENTS_SCHEMA: DatabaseSchema = {
  entities: [Agent, AgentRun],
  migrations: [Agents1764400000000, AgentRunModes1764500000000, AgentCoordination1764600000000],
};
