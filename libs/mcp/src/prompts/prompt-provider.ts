import type { GetPromptResult, Prompt } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';

/** One source of MCP prompts (agents' system prompts, the conformance fixtures). */
export interface McpPromptProvider {
  list(principal: Principal): Prompt[] | Promise<Prompt[]>;
  /** The rendered prompt, or undefined when the name is not this provider's. */
  get(principal: Principal, name: string, args: Record<string, string>): Promise<GetPromptResult | undefined>;
  /** Suggestions for an argument's value, or undefined when the prompt is not this provider's. */
  complete?(name: string, argument: string, value: string): string[] | undefined;
}
