import { Injectable } from '@nestjs/common';
import { ResourceNotFoundError, type ListResourceTemplatesResult, type ListResourcesResult, type ReadResourceResult } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';
import type { McpResourceProvider } from './resource-provider.js';

/** resources/list, resources/templates/list and resources/read over every registered provider. */
@Injectable()
export class McpResources {
  private readonly providers: McpResourceProvider[] = [];

  register(provider: McpResourceProvider): void {
    this.providers.push(provider);
  }

  async list(principal: Principal): Promise<ListResourcesResult> {
    const lists = await Promise.all(this.providers.map((provider) => provider.list(principal)));
    return { resources: lists.flat() };
  }

  templates(): ListResourceTemplatesResult {
    return { resourceTemplates: this.providers.flatMap((provider) => provider.templates) };
  }

  async read(principal: Principal, uri: string): Promise<ReadResourceResult> {
    for (const provider of this.providers) {
      const contents = await provider.read(principal, uri);
      if (contents) return contents;
    }
    throw new ResourceNotFoundError(uri);
  }
}
