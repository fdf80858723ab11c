import { Injectable } from '@nestjs/common';
import { ProtocolError, ProtocolErrorCode, type CompleteResult, type GetPromptResult, type ListPromptsResult } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';
import type { McpPromptProvider } from './prompt-provider.js';

/** Completion answers at most this many values, as the protocol allows. */
const MAX_COMPLETIONS = 100;

/** prompts/list, prompts/get and completion/complete for prompt arguments, over every registered provider. */
@Injectable()
export class McpPrompts {
  private readonly providers: McpPromptProvider[] = [];

  register(provider: McpPromptProvider): void {
    this.providers.push(provider);
  }

  async list(principal: Principal): Promise<ListPromptsResult> {
    const lists = await Promise.all(this.providers.map((provider) => provider.list(principal)));
    return { prompts: lists.flat() };
  }

  async get(principal: Principal, name: string, args: Record<string, string>): Promise<GetPromptResult> {
    for (const provider of this.providers) {
      const prompt = await provider.get(principal, name, args);
      if (prompt) return prompt;
    }
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  }

  complete(name: string, argument: string, value: string): CompleteResult {
    for (const provider of this.providers) {
      const values = provider.complete?.(name, argument, value);
      if (values) return { completion: { values: values.slice(0, MAX_COMPLETIONS), total: values.length, hasMore: values.length > MAX_COMPLETIONS } };
    }
    return { completion: { values: [], total: 0, hasMore: false } };
  }
}
