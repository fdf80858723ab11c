import { Injectable } from '@nestjs/common';
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type Prompt } from '@modelcontextprotocol/server';
import { AGENT_TOOL_PREFIX, AgentsService, type Agent } from '@app/agents';
import { hasScope, type Principal } from '@app/users';
import { McpPrompts } from './mcp-prompts.service.js';
import type { McpPromptProvider } from './prompt-provider.js';

const userText = (text: string) => ({ role: 'user' as const, content: { type: 'text' as const, text } });

/**
 * Each agent's system prompt as the MCP prompt `agent.<name>` (the name of its tool), with the user's `input` as its
 * argument: a client can run the same instructions on its own model. Shown to callers whose key has agents:read, as
 * GET /agents is.
 */
@Injectable()
export class AgentPrompts implements McpPromptProvider {
  constructor(
    prompts: McpPrompts,
    private readonly agents: AgentsService,
  ) {
    prompts.register(this);
  }

  async list(principal: Principal): Promise<Prompt[]> {
    if (!hasScope(principal, 'agents:read')) return [];
    return (await this.agents.all()).map(toPrompt);
  }

  async get(principal: Principal, name: string, args: Record<string, string>): Promise<GetPromptResult | undefined> {
    if (!name.startsWith(AGENT_TOOL_PREFIX) || !hasScope(principal, 'agents:read')) return undefined;
    const agent = await this.agents.findByName(name.slice(AGENT_TOOL_PREFIX.length));
    if (!agent) return undefined;
    if (!args.input) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `The prompt ${name} needs the argument input`);
    return { description: toPrompt(agent).description, messages: [...(agent.systemPrompt ? [userText(agent.systemPrompt)] : []), userText(args.input)] };
  }
}

function toPrompt(agent: Agent): Prompt {
  return {
    name: `${AGENT_TOOL_PREFIX}${agent.name}`,
    title: agent.name,
    description: agent.description || `The instructions of the agent ${agent.name}, then your input.`,
    arguments: [{ name: 'input', description: 'Your message to the agent.', required: true }],
  };
}
