import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/users';
import { ConversationsService } from './conversations.service.js';
import { ExportFormat, toConversationDto } from './dto/conversation.dto.js';
import { toMessageDto } from './dto/message.dto.js';
import type { Message } from './entities/message.entity.js';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Conversations out of the store: streamed exports of any length, and markdown for people and MCP resources. */
@Injectable()
export class ConversationExportService {
  constructor(private readonly conversations: ConversationsService) {}

  /**
   * A stream that reads messages a page at a time as the client takes them: a 10,000-message conversation never sits
   * in memory whole. Ownership is checked before the first byte, so a refusal is still a proper problem response.
   */
  async export(principal: Principal, id: string, format: ExportFormat): Promise<Readable> {
    const conversation = toConversationDto(await this.conversations.get(principal, id));
    const messages = this.conversations.allMessages(id);
    async function* ndjson() {
      yield `${JSON.stringify({ type: 'conversation', conversation })}\n`;
      for await (const message of messages) yield `${JSON.stringify({ type: 'message', message: toMessageDto(message) })}\n`;
    }
    async function* json() {
      yield `{"conversation":${JSON.stringify(conversation)},"messages":[`;
      let first = true;
      for await (const message of messages) {
        yield `${first ? '' : ','}${JSON.stringify(toMessageDto(message))}`;
        first = false;
      }
      yield ']}';
    }
    return Readable.from(format === 'ndjson' ? ndjson() : json(), { objectMode: false });
  }

  /** The conversation as markdown: a title, then each message under its role. */
  async renderMarkdown(principal: Principal, id: string): Promise<string> {
    const conversation = await this.conversations.get(principal, id);
    const parts = [`# ${conversation.title}\n`];
    for await (const message of this.conversations.allMessages(id)) parts.push(renderMessage(message));
    return parts.join('\n');
  }
}

function renderMessage(message: Message): string {
  const heading = message.role === 'tool' && message.toolCallId ? `tool (${message.toolCallId})` : message.role;
  const calls = (message.toolCalls ?? []).map((call) => `\n- calls \`${call.name}\` (${call.id}): \`${JSON.stringify(call.args)}\``).join('');
  return `## ${heading} · ${message.createdAt.toISOString()}\n\n${message.content}${calls}\n`;
}
