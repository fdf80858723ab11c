export * from './entities/tool.entity.js';
export { TOOLS_SCHEMA } from './tools-schema.js';
export { ToolsModule } from './tools.module.js';
export { ToolExecutor, type ToolCallResult, type ExecuteOptions } from './tool-executor.service.js';
export { ToolRegistry } from './tool-registry.service.js';
export { ToolHandlers, ToolExecutionError, type ToolKindHandler, type ToolCallContext, type ToolProgress } from './tool-handler.js';
export { BuiltinToolHandler, BUILTIN_TOOLS } from './builtin/builtin-tool.handler.js';
export { ToolCallObservers, type ToolCallObserver, type ToolCallEvent } from './tool-call-observers.js';
