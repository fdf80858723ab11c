import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { containsPattern, keysetPage, type Page } from '@app/core';
import { agentNotFound } from './agents.errors.js';
import { AgentListQueryDto } from './dto/agent.dto.js';
import { Agent } from './entities/agent.entity.js';
import { delegatesOf } from './member-graph.js';

/** Who a coordinator delegates to, by name (their agent tools are `agent.<name>`). */
export interface AgentTeam {
  /** In order. */
  members: string[];
  aggregator?: string;
}

/** Reading agents: every caller with agents:read sees them all (an agent's definition holds no credentials). */
@Injectable()
export class AgentsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first. */
  list(query: AgentListQueryDto): Promise<Page<Agent>> {
    const agents = this.dataSource.getRepository(Agent).createQueryBuilder('agent');
    if (query.kind) agents.andWhere('agent.kind = :kind', { kind: query.kind });
    if (query.q) agents.andWhere('(lower(agent.name) LIKE :pattern OR lower(agent.description) LIKE :pattern)', { pattern: containsPattern(query.q) });
    return keysetPage(agents, query);
  }

  /** Every agent, in name order. */
  all(): Promise<Agent[]> {
    return this.dataSource.getRepository(Agent).find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<Agent> {
    const agent = await this.dataSource.getRepository(Agent).findOneBy({ id });
    if (!agent) throw agentNotFound(id);
    return agent;
  }

  findByName(name: string): Promise<Agent | null> {
    return this.dataSource.getRepository(Agent).findOneBy({ name });
  }

  /** A single agent has none. Members can't be deleted while named, so every id resolves. */
  async teamOf(agent: Agent): Promise<AgentTeam> {
    const ids = delegatesOf(agent);
    if (ids.length === 0) return { members: [] };
    const found = await this.dataSource.getRepository(Agent).find({ select: { id: true, name: true }, where: { id: In(ids) } });
    const names = new Map(found.map((member) => [member.id, member.name]));
    return { members: agent.members.flatMap((id) => names.get(id) ?? []), aggregator: agent.aggregatorId ? names.get(agent.aggregatorId) : undefined };
  }
}
