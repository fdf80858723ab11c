import { Injectable } from '@nestjs/common';
import type { ReadResourceResult, Resource, ResourceTemplateType } from '@modelcontextprotocol/server';
import { DomainException } from '@app/core';
import { ConversationExportService, ConversationsService } from '@app/history';
import type { Principal } from '@app/users';
import { McpResources } from './mcp-resources.service.js';
import type { McpResourceProvider } from './resource-provider.js';

const PREFIX = 'history://conversations/';
const URI = /^history:\/\/conversations\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** resources/list shows the most recent ones; any other is read through the template. */
const LISTED = 100;

/** The caller's conversations as markdown resources, `history://conversations/{id}`. */
@Injectable()
export class ConversationResources implements McpResourceProvider {
  readonly templates: ResourceTemplateType[] = [
    {
      uriTemplate: `${PREFIX}{id}`,
      name: 'conversation',
      title: 'Conversation',
      description: 'One of your conversations, rendered as markdown.',
      mimeType: 'text/markdown',
    },
  ];

  constructor(
    resources: McpResources,
    private readonly conversations: ConversationsService,
    private readonly exports: ConversationExportService,
  ) {
    resources.register(this);
  }

  async list(principal: Principal): Promise<Resource[]> {
    const page = await this.conversations.list(principal, { limit: LISTED });
    return page.items.map((conversation) => ({
      uri: `${PREFIX}${conversation.id}`,
      name: conversation.title,
      description: `Conversation of ${conversation.createdAt.toISOString()}`,
      mimeType: 'text/markdown',
    }));
  }

  async read(principal: Principal, uri: string): Promise<ReadResourceResult | undefined> {
    const id = URI.exec(uri)?.[1];
    if (!id) return undefined;
    try {
      return { contents: [{ uri, mimeType: 'text/markdown', text: await this.exports.renderMarkdown(principal, id) }] };
    } catch (error) {
      // Someone else's conversation is as absent as a deleted one.
      if (error instanceof DomainException && (error.status === 404 || error.status === 403)) return undefined;
      throw error;
    }
  }
}
