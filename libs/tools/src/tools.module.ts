import { Module } from '@nestjs/common';
import { HistoryModule } from '@app/history';
import { UsersModule } from '@app/users';
import { BuiltinToolHandler, INJECTABLE_BUILTIN_TOOLS } from './builtin/builtin-tool.handler.js';
import { HttpToolHandler } from './http/http-tool.handler.js';
import { SafeHttpClient } from './http/safe-http-client.js';
import { SchemaValidator } from './schema-validator.js';
import { ToolAdminService } from './tool-admin.service.js';
import { ToolCallObservers } from './tool-call-observers.js';
import { ToolExecutor } from './tool-executor.service.js';
import { ToolHandlers } from './tool-handler.js';
import { ToolRegistry } from './tool-registry.service.js';
import { ToolResultCache } from './tool-result-cache.js';
import { ToolsController } from './tools.controller.js';
import { UPSTREAM_PROVIDERS } from './upstreams/upstream-providers.js';
import { UpstreamsController } from './upstreams/upstreams.controller.js';

/** The tool registry and the one execution path; kinds plug their handlers into ToolHandlers. */
@Module({
  imports: [UsersModule, HistoryModule],
  controllers: [ToolsController, UpstreamsController],
  providers: [ToolHandlers, ToolCallObservers, ToolResultCache, ToolRegistry, SchemaValidator, ToolExecutor, ToolAdminService, BuiltinToolHandler, ...INJECTABLE_BUILTIN_TOOLS, SafeHttpClient, HttpToolHandler, ...UPSTREAM_PROVIDERS],
  exports: [ToolExecutor, ToolRegistry, ToolHandlers, ToolCallObservers],
})
export class ToolsModule {}
