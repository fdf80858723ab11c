import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import stringify from 'safe-stable-stringify';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@app/core';
import { Tool, ToolRegistry } from '@app/tools';
import { agentToolNameTaken } from '../agents.errors.js';
import { agentToolName } from '../coordination/agent-tool-name.js';
import { Agent } from '../entities/agent.entity.js';

/** Past the agent's own timeout, so its run ends as timed_out, and is recorded so, before the tool call gives up on it. */
const TIMEOUT_GRACE_MS = 1000;

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** `{ input, conversationId? }`, as POST /agents/{id}/runs takes them (formats are not checked: the uuid has a pattern). */
export const AGENT_TOOL_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    input: { type: 'string', minLength: 1, maxLength: 100_000, description: 'Your message to the agent.' },
    conversationId: { type: 'string', format: 'uuid', pattern: UUID, description: 'A conversation of yours to continue; omitted, a new one is started (none for a run started by another run).' },
  },
  required: ['input'],
  additionalProperties: false,
};

/** What a tool of kind `agent` keeps in its config. */
export interface AgentToolConfig {
  agentId: string;
}

type AgentToolDefinition = Pick<Tool, 'name' | 'title' | 'description' | 'inputSchema' | 'annotations' | 'timeoutMs'>;

function definitionOf(agent: Agent): AgentToolDefinition {
  return {
    name: agentToolName(agent.name),
    title: agent.name,
    description: agent.description || `Runs the agent ${agent.name} on your input and answers with its output.`,
    inputSchema: AGENT_TOOL_INPUT_SCHEMA,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    timeoutMs: agent.timeoutMs + TIMEOUT_GRACE_MS,
  };
}

/**
 * Every agent's registry row as a tool of kind `agent`, written in the transaction that writes the agent: created with
 * it, renamed and redefined with it (keeping what admins set on the row: enabled, roles, cache), deleted with it.
 * At boot every row is brought in line, for agents written before their tools existed.
 */
@Injectable()
export class AgentToolRows implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgentToolRows.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ToolRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const agent of await this.dataSource.getRepository(Agent).find()) {
      await this.dataSource.transaction((manager) => this.write(manager, agent)).catch((error: Error) => this.logger.warn(`the tool of agent ${agent.name} is not in the registry: ${error.message}`));
    }
    await this.dataSource.query(`DELETE FROM tools WHERE kind = 'agent' AND NOT EXISTS (SELECT 1 FROM agents WHERE agents.id::text = tools.config ->> 'agentId')`);
    await this.registry.changed();
  }

  /** Returns whether the row changed; 409 AGENT_TOOL_NAME_TAKEN when another tool has the name. */
  async write(manager: EntityManager, agent: Agent): Promise<boolean> {
    const tools = manager.getRepository(Tool);
    const definition = definitionOf(agent);
    const current = await this.rowOf(manager, agent.id);
    const save = async (row: Tool) => {
      await tools.save(row).catch((error: unknown) => {
        throw isUniqueViolation(error) ? agentToolNameTaken(definition.name) : error;
      });
      return true;
    };
    if (!current) return save(tools.create({ ...definition, kind: 'agent', config: { agentId: agent.id } satisfies AgentToolConfig }));
    const stored: AgentToolDefinition = { name: current.name, title: current.title, description: current.description, inputSchema: current.inputSchema, annotations: current.annotations, timeoutMs: current.timeoutMs };
    if (stringify(stored) === stringify(definition)) return false;
    return save(Object.assign(current, definition, { version: current.version + 1 }));
  }

  async remove(manager: EntityManager, agentId: string): Promise<void> {
    const current = await this.rowOf(manager, agentId);
    if (current) await manager.getRepository(Tool).delete({ id: current.id });
  }

  private rowOf(manager: EntityManager, agentId: string): Promise<Tool | null> {
    return manager.getRepository(Tool).createQueryBuilder('tool').where(`tool.kind = 'agent'`).andWhere(`tool.config ->> 'agentId' = :agentId`, { agentId }).getOne();
  }
}
