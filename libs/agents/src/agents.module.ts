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
import { ActiveRuns } from './runs/active-runs.js';
import { AgentRunner } from './runs/agent-runner.js';
import { RegistryToolsets } from './runs/registry-toolset.js';
import { RunAdmission } from './runs/run-admission.js';
import { RunCancellation } from './runs/run-cancellation.js';
import { RunEventFollower } from './runs/run-event-follower.js';
import { RunEventLog } from './runs/run-event-log.js';
import { RunJournal } from './runs/run-journal.js';
import { RunLauncher } from './runs/run-launcher.js';
import { RunObservers } from './runs/run-observers.js';
import { RunSweeper } from './runs/run-sweeper.js';
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
    RunObservers,
    RunEventLog,
    RunEventFollower,
    RunAdmission,
    ActiveRuns,
    RunLauncher,
    RunCancellation,
    RunSweeper,
    RunsService,
    AgentToolRows,
    AgentToolHandler,
  ],
  exports: [AgentsService, RunsService, ChatModels, AgentRunner, RunObservers],
})
export class AgentsModule {}
