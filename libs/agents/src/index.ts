export * from './entities/agent.entity.js';
export * from './entities/agent-run.entity.js';
export type * from './entities/run-step.js';
export { AGENTS_SCHEMA } from './agents-schema.js';
export { AgentsModule } from './agents.module.js';
export { AgentsService } from './agents.service.js';
export { ChatModels, type ChatModelHandle } from './models/chat-models.service.js';
export { LLM_PROVIDERS, parseModelRef, type LlmProvider, type ModelRef } from './models/model-ref.js';
