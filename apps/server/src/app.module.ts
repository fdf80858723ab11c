import { Module } from '@nestjs/common';
import { AgentsModule } from '@app/agents';
import { CoreModule } from '@app/core';
import { HealthModule } from '@app/health';
import { HistoryModule } from '@app/history';
import { McpModule } from '@app/mcp';
import { ObservabilityModule } from '@app/observability';
import { ToolsModule } from '@app/tools';
import { UsersModule } from '@app/users';
import { SCHEMA } from './schema.js';

@Module({
  imports: [CoreModule.forRoot(SCHEMA), HealthModule, UsersModule, HistoryModule, ToolsModule, AgentsModule, McpModule, ObservabilityModule],
})
export class AppModule {}
