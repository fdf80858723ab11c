import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { AgentAdminService } from './agent-admin.service.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { ChatModels } from './models/chat-models.service.js';

/** Agents over the tool registry: their definitions and the LLM providers they run on. */
@Module({
  imports: [UsersModule],
  controllers: [AgentsController],
  providers: [AgentsService, AgentAdminService, ChatModels],
  exports: [AgentsService, ChatModels],
})
export class AgentsModule {}
