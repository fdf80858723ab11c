import { Module } from '@nestjs/common';
import { HistoryModule } from '@app/history';
import { ToolsModule } from '@app/tools';
import { UsersModule } from '@app/users';
import { AgentAdminService } from './agent-admin.service.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { MemberCoordinator } from './coordination/member-coordinator.js';
import { RunLineages } from './coordination/run-lineages.js';
import { AgentToolRows } from './mcp/agent-tool-rows.js';
import { AgentToolHandler } from './mcp/agent-tool.handler.js';
import { ChatModels } from './models/chat-models.service.js';
import { AgentRunner } from './runs/agent-runner.js';
import { RegistryToolsets } from './runs/registry-toolset.js';
import { RunJournal } from './runs/run-journal.js';
import { RunsController } from './runs/runs.controller.js';
import { RunsService } from './runs/runs.service.js';

/**
 * Agents over the tool registry: their definitions, the LLM providers they run on, their runs and the coordinators'
 * delegations; and each agent as a tool of kind `agent`, so MCP clients and other agents can run it.
 */
@Module({
  imports: [UsersModule, HistoryModule, ToolsModule],
  controllers: [AgentsController, RunsController],
  providers: [
    AgentsService,
    AgentAdminService,
    ChatModels,
    RegistryToolsets,
    AgentRunner,
    RunJournal,
    RunLineages,
    MemberCoordinator,
    RunsService,
    AgentToolRows,
    AgentToolHandler,
  ],
  exports: [AgentsService, RunsService, ChatModels, AgentRunner],
})
export class AgentsModule {}
