export * from './entities/agent.entity.js';
export * from './entities/agent-run.entity.js';
export type * from './entities/run-step.js';
export { AGENTS_SCHEMA } from './agents-schema.js';
