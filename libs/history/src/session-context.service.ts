import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { historyConfig } from '@app/core';
import { Message } from './entities/message.entity.js';

/**
 * The last HISTORY_CONTEXT_MESSAGES messages of a conversation, as agent runs read them before each model call:
 * kept in the cache (Redis, or memory when embedded) for HISTORY_CONTEXT_TTL_SECONDS and dropped on every write.
 */
@Injectable()
export class SessionContextService {
  constructor(
    @Inject(historyConfig.KEY) private readonly config: ConfigType<typeof historyConfig>,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly dataSource: DataSource,
  ) {}

  /** Oldest first. The caller has checked that the conversation is the principal's. */
  async recent(conversationId: string): Promise<Message[]> {
    const key = this.key(conversationId);
    const cached = await this.cache.get<Message[]>(key).catch(() => undefined);
    if (cached) return cached.map((message) => ({ ...message, createdAt: new Date(message.createdAt) }));
    const newest = await this.dataSource
      .getRepository(Message)
      .find({ where: { conversationId }, order: { sequence: 'DESC' }, take: this.config.contextMessages });
    const messages = newest.reverse();
    await this.remember(conversationId, messages);
    return messages;
  }

  /** Caches a conversation's context when it is known without a read (a new conversation's is empty). */
  async remember(conversationId: string, messages: Message[]): Promise<void> {
    await this.cache.set(this.key(conversationId), messages, this.config.contextTtlMs).catch(() => undefined);
  }

  async invalidate(conversationId: string): Promise<void> {
    await this.cache.del(this.key(conversationId)).catch(() => undefined);
  }

  private key(conversationId: string): string {
    return `history:context:${conversationId}`;
  }
}
