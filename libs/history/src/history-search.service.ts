import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { containsPattern } from '@app/core';
import { Conversation } from './entities/conversation.entity.js';
import { Message, type MessageRole } from './entities/message.entity.js';
import { ToolInvocation } from './entities/tool-invocation.entity.js';
import { snippetAround } from './snippet.js';

export const HISTORY_SEARCH_KINDS = ['messages', 'tool_invocations', 'all'] as const;
export type HistorySearchKind = (typeof HISTORY_SEARCH_KINDS)[number];

export interface HistorySearchQuery {
  /** Matched case-insensitively as a substring; LIKE wildcards in it are taken literally. */
  text: string;
  kind?: HistorySearchKind;
  conversationId?: string;
  since?: Date;
  limit: number;
}

export interface HistoryMatch {
  type: 'message' | 'tool_invocation';
  id: string;
  conversationId: string | null;
  role?: MessageRole;
  toolName?: string;
  snippet: string;
  createdAt: Date;
}

export interface HistorySearchResult {
  /** Newest first. */
  matches: HistoryMatch[];
  /** More matched than `limit`. */
  hasMore: boolean;
}

/**
 * Text search over one user's own history: message contents, and tool invocations by tool name, arguments, result
 * and error message. Scoped by user id alone, never by role: it serves a user looking through their own past.
 */
@Injectable()
export class HistorySearchService {
  constructor(private readonly dataSource: DataSource) {}

  async search(userId: string, query: HistorySearchQuery): Promise<HistorySearchResult> {
    const kind = query.kind ?? 'all';
    const found = [
      ...(kind === 'tool_invocations' ? [] : await this.messages(userId, query)),
      ...(kind === 'messages' ? [] : await this.invocations(userId, query)),
    ].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    return { matches: found.slice(0, query.limit), hasMore: found.length > query.limit };
  }

  private async messages(userId: string, query: HistorySearchQuery): Promise<HistoryMatch[]> {
    const messages = this.dataSource
      .getRepository(Message)
      .createQueryBuilder('message')
      .innerJoin(Conversation, 'conversation', 'conversation.id = message.conversation_id')
      .where('conversation.user_id = :userId', { userId })
      .andWhere('lower(message.content) LIKE :pattern', { pattern: containsPattern(query.text) });
    if (query.conversationId) messages.andWhere('message.conversation_id = :conversationId', { conversationId: query.conversationId });
    if (query.since) messages.andWhere('message.created_at >= :since', { since: query.since });
    const rows = await messages.orderBy('message.created_at', 'DESC').addOrderBy('message.id', 'DESC').limit(query.limit + 1).getMany();
    return rows.map((message) => ({
      type: 'message',
      id: message.id,
      conversationId: message.conversationId,
      role: message.role,
      snippet: snippetAround(message.content, query.text),
      createdAt: message.createdAt,
    }));
  }

  private async invocations(userId: string, query: HistorySearchQuery): Promise<HistoryMatch[]> {
    // jsonb as Postgres prints it, so the snippet is cut from the very text that matched.
    const invocations = this.dataSource
      .getRepository(ToolInvocation)
      .createQueryBuilder('invocation')
      .addSelect('invocation.arguments::text', 'arguments_text')
      .addSelect("coalesce(invocation.result::text, '')", 'result_text')
      .where('invocation.user_id = :userId', { userId })
      .andWhere(
        `(lower(invocation.tool_name) LIKE :pattern OR lower(invocation.arguments::text) LIKE :pattern
          OR lower(coalesce(invocation.result::text, '')) LIKE :pattern OR lower(coalesce(invocation.error_message, '')) LIKE :pattern)`,
        { pattern: containsPattern(query.text) },
      );
    if (query.conversationId) invocations.andWhere('invocation.conversation_id = :conversationId', { conversationId: query.conversationId });
    if (query.since) invocations.andWhere('invocation.created_at >= :since', { since: query.since });
    const { entities, raw } = await invocations
      .orderBy('invocation.created_at', 'DESC')
      .addOrderBy('invocation.id', 'DESC')
      .limit(query.limit + 1)
      .getRawAndEntities<{ arguments_text: string; result_text: string }>();
    return entities.map((invocation, index) => {
      const texts = [invocation.toolName, raw[index].arguments_text, raw[index].result_text, invocation.errorMessage ?? ''];
      const matched = texts.find((text) => text.toLowerCase().includes(query.text.toLowerCase())) ?? raw[index].arguments_text;
      return {
        type: 'tool_invocation',
        id: invocation.id,
        conversationId: invocation.conversationId,
        toolName: invocation.toolName,
        snippet: snippetAround(matched, query.text),
        createdAt: invocation.createdAt,
      };
    });
  }
}
