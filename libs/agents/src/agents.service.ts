import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { containsPattern, keysetPage, type Page } from '@app/core';
import { agentNotFound } from './agents.errors.js';
import { AgentListQueryDto } from './dto/agent.dto.js';
import { Agent } from './entities/agent.entity.js';

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

  async get(id: string): Promise<Agent> {
    const agent = await this.dataSource.getRepository(Agent).findOneBy({ id });
    if (!agent) throw agentNotFound(id);
    return agent;
  }
}
