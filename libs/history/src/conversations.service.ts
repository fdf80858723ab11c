import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { containsPattern, DEFAULT_PAGE_SIZE, invalidCursor, keysetPage, Page, PageRequest } from '@app/core';
import type { Principal } from '@app/users';
import { AppendMessageDto } from './dto/message.dto.js';
import { ConversationListQueryDto, CreateConversationDto, UpdateConversationDto } from './dto/conversation.dto.js';
import { Conversation } from './entities/conversation.entity.js';
import { Message } from './entities/message.entity.js';
import { conversationNotFound, userFilterForbidden } from './history.errors.js';
import { SessionContextService } from './session-context.service.js';

/** A member sees their own history; an admin anyone's. Another user's conversation answers 404, as a missing one. */
export function ownerFilter(principal: Principal, requestedUserId?: string): string | undefined {
  if (requestedUserId && requestedUserId !== principal.userId && principal.role !== 'admin') throw userFilterForbidden();
  return requestedUserId ?? (principal.role === 'admin' ? undefined : principal.userId);
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessionContext: SessionContextService,
  ) {}

  /** One INSERT (no transaction around it); the context of a conversation with no messages is known to be empty. */
  async create(principal: Principal, input: CreateConversationDto): Promise<Conversation> {
    const conversations = this.dataSource.getRepository(Conversation);
    const conversation = conversations.create({ userId: principal.userId, title: input.title, agentId: input.agentId ?? null, metadata: input.metadata ?? {} });
    // The insert fills in what the database generates (id, defaults, timestamps) from its RETURNING clause. TypeORM's
    // insert type can't take an open jsonb record, which its save() accepts.
    await conversations.insert(conversation as QueryDeepPartialEntity<Conversation>);
    await this.sessionContext.remember(conversation.id, []);
    return conversation;
  }

  /** Newest first. Admins see everyone's unless they filter by userId; members only their own. */
  list(principal: Principal, query: ConversationListQueryDto): Promise<Page<Conversation>> {
    const conversations = this.dataSource.getRepository(Conversation).createQueryBuilder('conversation');
    const userId = ownerFilter(principal, query.userId);
    if (userId) conversations.andWhere('conversation.user_id = :userId', { userId });
    if (query.agentId) conversations.andWhere('conversation.agent_id = :agentId', { agentId: query.agentId });
    if (query.q) {
      const pattern = containsPattern(query.q);
      conversations.andWhere('lower(conversation.title) LIKE :pattern', { pattern });
    }
    return keysetPage(conversations, query);
  }

  async get(principal: Principal, id: string, manager: EntityManager = this.dataSource.manager): Promise<Conversation> {
    const conversation = await manager.getRepository(Conversation).findOneBy({ id });
    if (!conversation || (principal.role !== 'admin' && conversation.userId !== principal.userId)) throw conversationNotFound(id);
    return conversation;
  }

  async update(principal: Principal, id: string, input: UpdateConversationDto): Promise<Conversation> {
    const conversation = await this.get(principal, id);
    if (input.title !== undefined) conversation.title = input.title;
    if (input.metadata !== undefined) conversation.metadata = input.metadata;
    return this.dataSource.getRepository(Conversation).save(conversation);
  }

  /** Its messages go with it (ON DELETE CASCADE). */
  async remove(principal: Principal, id: string): Promise<void> {
    const conversation = await this.get(principal, id);
    await this.dataSource.getRepository(Conversation).delete({ id: conversation.id });
    await this.sessionContext.invalidate(id);
  }

  async append(principal: Principal, id: string, input: AppendMessageDto): Promise<Message> {
    const [message] = await this.appendAll(principal, id, [input]);
    return message;
  }

  /**
   * Appends messages in the order given with the next sequence numbers, in one statement: the UPDATE that hands the
   * numbers out locks the conversation row until the INSERT beside it commits, so concurrent appends are numbered
   * 1, 2, 3… in commit order with no gaps. An agent run appends a turn's messages together: on the embedded database
   * each statement costs a run about a millisecond of its event loop.
   */
  async appendAll(principal: Principal, id: string, inputs: readonly AppendMessageDto[]): Promise<Message[]> {
    if (inputs.length === 0) return [];
    const rows: { id: string; sequence: number; created_at: Date }[] = await this.dataSource.query(
      `WITH numbered AS (
         UPDATE conversations SET last_sequence = last_sequence + $3, last_message_at = now()
         WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)
         RETURNING last_sequence - $3 AS numbered_from
       )
       INSERT INTO messages (conversation_id, sequence, role, content, tool_calls, tool_call_id, token_usage)
       SELECT $1, numbered_from + m.position, m.role, m.content, m.tool_calls, m.tool_call_id, m.token_usage
       FROM numbered, unnest($4::text[], $5::text[], $6::jsonb[], $7::text[], $8::jsonb[])
         WITH ORDINALITY AS m(role, content, tool_calls, tool_call_id, token_usage, position)
       RETURNING id, sequence, created_at`,
      [
        id,
        principal.role === 'admin' ? null : principal.userId,
        inputs.length,
        inputs.map((input) => input.role),
        inputs.map((input) => input.content),
        inputs.map((input) => jsonOrNull(input.toolCalls)),
        inputs.map((input) => input.toolCallId ?? null),
        inputs.map((input) => jsonOrNull(input.tokenUsage)),
      ],
    );
    // No row numbered: no such conversation, or not the caller's (a member sees only their own; an admin any).
    if (rows.length === 0) throw conversationNotFound(id);
    await this.sessionContext.invalidate(id);
    return rows
      .sort((a, b) => a.sequence - b.sequence)
      .map((row, index) => {
        const input = inputs[index];
        return Object.assign(new Message(), {
          id: row.id,
          conversationId: id,
          sequence: row.sequence,
          role: input.role,
          content: input.content,
          toolCalls: input.toolCalls ?? null,
          toolCallId: input.toolCallId ?? null,
          tokenUsage: input.tokenUsage ?? null,
          createdAt: new Date(row.created_at),
        });
      });
  }

  /** Oldest first, after the sequence number the cursor carries. */
  async messages(principal: Principal, id: string, page: PageRequest): Promise<Page<Message>> {
    await this.get(principal, id);
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const after = page.cursor === undefined ? 0 : decodeSequence(page.cursor);
    const items = await this.messagesAfter(id, after, limit + 1).getMany();
    const hasMore = items.length > limit;
    const shown = items.slice(0, limit);
    return { items: shown, nextCursor: hasMore ? encodeSequence(shown.at(-1)!.sequence) : null };
  }

  /** Every message in order, read a page at a time: for exports and renderings of any length. */
  async *allMessages(conversationId: string, pageSize = 500): AsyncGenerator<Message> {
    let after = 0;
    for (;;) {
      const page = await this.messagesAfter(conversationId, after, pageSize).getMany();
      yield* page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.sequence;
    }
  }

  private messagesAfter(conversationId: string, after: number, limit: number): SelectQueryBuilder<Message> {
    return this.dataSource
      .getRepository(Message)
      .createQueryBuilder('message')
      .where('message.conversation_id = :conversationId AND message.sequence > :after', { conversationId, after })
      .orderBy('message.sequence', 'ASC')
      .limit(limit);
  }
}

function encodeSequence(sequence: number): string {
  return Buffer.from(`s${sequence}`).toString('base64url');
}

function decodeSequence(cursor: string): number {
  const match = /^s(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalidCursor();
  return Number(match[1]);
}

/** A jsonb parameter: the drivers would send a JS array as a Postgres array, so JSON goes as text. */
function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
