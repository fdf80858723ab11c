import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { ConversationExportService } from './conversation-export.service.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { ErasureController } from './erasure.controller.js';
import { HistoryErasureService } from './history-erasure.service.js';
import { HistoryRecorder } from './history-recorder.service.js';
import { HistorySearchService } from './history-search.service.js';
import { RetentionService } from './retention.service.js';
import { SessionContextService } from './session-context.service.js';
import { ToolInvocationsController } from './tool-invocations.controller.js';
import { ToolInvocationsService } from './tool-invocations.service.js';

/** Conversations, messages and the tool invocation log; the recorder and session context serve tools and agents. */
@Module({
  imports: [UsersModule],
  controllers: [ConversationsController, ToolInvocationsController, ErasureController],
  providers: [
    ConversationsService,
    ConversationExportService,
    SessionContextService,
    ToolInvocationsService,
    HistoryRecorder,
    HistorySearchService,
    HistoryErasureService,
    RetentionService,
  ],
  exports: [HistoryRecorder, ConversationsService, ConversationExportService, SessionContextService, ToolInvocationsService, HistorySearchService],
})
export class HistoryModule {}
