import { Module } from '@nestjs/common';
import { HistoryModule } from '@app/history';
import { UsersModule } from '@app/users';
import { BuiltinToolHandler } from './builtin/builtin-tool.handler.js';
import { SchemaValidator } from './schema-validator.js';
import { ToolAdminService } from './tool-admin.service.js';
import { ToolCallObservers } from './tool-call-observers.js';
import { ToolExecutor } from './tool-executor.service.js';
import { ToolHandlers } from './tool-handler.js';
import { ToolRegistry } from './tool-registry.service.js';
import { ToolResultCache } from './tool-result-cache.js';
import { ToolsController } from './tools.controller.js';

/** The tool registry and the one execution path; kinds plug their handlers into ToolHandlers. */
@Module({
  imports: [UsersModule, HistoryModule],
  controllers: [ToolsController],
  providers: [ToolHandlers, ToolCallObservers, ToolResultCache, ToolRegistry, SchemaValidator, ToolExecutor, ToolAdminService, BuiltinToolHandler],
  exports: [ToolExecutor, ToolRegistry, ToolHandlers, ToolCallObservers],
})
export class ToolsModule {}
