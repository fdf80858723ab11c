import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type Actor } from '@app/users';
import { Conversation } from './entities/conversation.entity.js';
import { ToolInvocation } from './entities/tool-invocation.entity.js';
import { HistoryRecorder } from './history-recorder.service.js';

export interface ErasureCounts {
  conversations: number;
  messages: number;
  toolInvocations: number;
}

/** The right to erasure: everything of a user's history, in one transaction, with an audit event of the counts. */
@Injectable()
export class HistoryErasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: HistoryRecorder,
    private readonly audit: AuditService,
  ) {}

  async eraseOwn(actor: Actor): Promise<ErasureCounts> {
    const userId = actor.principal.userId;
    // Invocations still in the buffer are written first, so the delete below catches them too.
    await this.recorder.flush();
    return this.dataSource.transaction(async (manager) => {
      const [{ count: messages }] = (await manager.query(
        'SELECT count(*)::int AS count FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = $1',
        [userId],
      )) as { count: number }[];
      const conversations = (await manager.delete(Conversation, { userId })).affected ?? 0;
      const toolInvocations = (await manager.delete(ToolInvocation, { userId })).affected ?? 0;
      const counts = { conversations, messages, toolInvocations };
      await this.audit.record(manager, actor, { action: 'history.erased', targetType: 'user', targetId: userId, details: { ...counts } });
      return counts;
    });
  }
}
