import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { FieldError, isUniqueViolation, ValidationFailedException } from '@app/core';
import { ToolRegistry } from '@app/tools';
import { AuditService, type Actor } from '@app/users';
import { agentCycle, agentExists, agentInUse, agentNotFound } from './agents.errors.js';
import { CreateAgentDto, UpdateAgentDto } from './dto/agent.dto.js';
import { Agent } from './entities/agent.entity.js';
import { AgentToolRows } from './mcp/agent-tool-rows.js';
import { delegatesOf, findMemberCycle, type MemberNode } from './member-graph.js';

/** One lock for every change to the member graph, so two concurrent changes can't close a cycle between them. */
const MEMBER_GRAPH_LOCK = 7_400_001;

/**
 * Agent writes (admin): each bumps the agent's version and is audited in its transaction, and keeps the agent's tool
 * (`agent.<name>`) in the registry in step, in the same transaction.
 */
@Injectable()
export class AgentAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly toolRows: AgentToolRows,
    private readonly registry: ToolRegistry,
  ) {}

  async create(actor: Actor, input: CreateAgentDto): Promise<Agent> {
    const created = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Agent);
      const agent = repository.create({ ...input, modelParameters: input.modelParameters ?? {} });
      await this.checkMembers(manager, agent);
      const saved = await repository.save(agent).catch(uniqueName(input.name));
      await this.toolRows.write(manager, saved);
      await this.audit.record(manager, actor, { action: 'agent.created', targetType: 'agent', targetId: saved.id, details: { name: saved.name, kind: saved.kind, model: saved.model } });
      return saved;
    });
    await this.registry.changed();
    return created;
  }

  async update(actor: Actor, id: string, input: UpdateAgentDto): Promise<Agent> {
    let toolChanged = false;
    const updated = await this.dataSource.transaction(async (manager) => {
      const current = await manager.getRepository(Agent).createQueryBuilder('agent').setLock('pessimistic_write').where('agent.id = :id', { id }).getOne();
      if (!current) throw agentNotFound(id);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [field, value] of Object.entries(input) as [keyof UpdateAgentDto, unknown][]) {
        if (value !== undefined && JSON.stringify(current[field]) !== JSON.stringify(value)) changes[field] = { from: current[field], to: value };
      }
      if (Object.keys(changes).length === 0) return current;
      const next = manager.getRepository(Agent).merge(current, input, { version: current.version + 1 });
      if (changes.kind || changes.members || changes.aggregatorId) await this.checkMembers(manager, next);
      const saved = await manager.save(next).catch(uniqueName(next.name));
      toolChanged = await this.toolRows.write(manager, saved);
      await this.audit.record(manager, actor, { action: 'agent.updated', targetType: 'agent', targetId: id, details: { name: saved.name, changes } });
      return saved;
    });
    if (toolChanged) await this.registry.changed();
    return updated;
  }

  /** Refused while a coordinator still names it: a coordinator must not lose a member behind its back. Runs keep its name. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.lockMemberGraph(manager);
      const agent = await manager.getRepository(Agent).findOneBy({ id });
      if (!agent) throw agentNotFound(id);
      const coordinators = await manager
        .getRepository(Agent)
        .createQueryBuilder('agent')
        .where(':id = ANY(agent.members) OR agent.aggregator_id = :id', { id })
        .orderBy('agent.name')
        .getMany();
      if (coordinators.length > 0) throw agentInUse(agent.name, coordinators.map((coordinator) => coordinator.name));
      await this.toolRows.remove(manager, id);
      await manager.getRepository(Agent).delete({ id });
      await this.audit.record(manager, actor, { action: 'agent.deleted', targetType: 'agent', targetId: id, details: { name: agent.name } });
    });
    await this.registry.changed();
  }

  /**
   * A single agent has no members; a coordinator has some, each an existing agent that does not lead back to it, and a
   * parallel one may name an aggregator, which counts as one of its delegates.
   */
  private async checkMembers(manager: EntityManager, agent: Agent): Promise<void> {
    const members = agent.members ?? [];
    const kind = agent.kind ?? 'single';
    if (kind === 'single' && members.length > 0) throw new ValidationFailedException([{ pointer: '/members', message: 'members are for coordinators; a single agent has none' }]);
    if (kind !== 'single' && members.length === 0) throw new ValidationFailedException([{ pointer: '/members', message: `a ${kind} coordinator needs at least one member` }]);
    if (agent.aggregatorId && kind !== 'parallel') throw new ValidationFailedException([{ pointer: '/aggregatorId', message: 'only a parallel coordinator has an aggregator' }]);
    if (members.length === 0) return;
    await this.lockMemberGraph(manager);
    const delegates = delegatesOf(agent);
    const known = new Set((await manager.getRepository(Agent).find({ select: { id: true }, where: { id: In(delegates) } })).map((member) => member.id));
    const missing: FieldError[] = members.flatMap((member, index) => (known.has(member) ? [] : [{ pointer: `/members/${index}`, message: `no agent has id ${member}` }]));
    if (agent.aggregatorId && !known.has(agent.aggregatorId)) missing.push({ pointer: '/aggregatorId', message: `no agent has id ${agent.aggregatorId}` });
    if (missing.length > 0) throw new ValidationFailedException(missing);
    if (!agent.id) return; // a new agent has no one pointing at it yet
    const coordinators = await manager.getRepository(Agent).find({ select: { id: true, name: true, members: true, aggregatorId: true } });
    const graph = new Map<string, MemberNode>(coordinators.map((node) => [node.id, { id: node.id, name: node.name, members: delegatesOf(node) }]));
    const cycle = findMemberCycle(agent, delegates, graph);
    if (cycle) throw agentCycle(cycle);
  }

  private async lockMemberGraph(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [MEMBER_GRAPH_LOCK]);
  }
}

function uniqueName(name: string): (error: unknown) => never {
  return (error) => {
    throw isUniqueViolation(error) ? agentExists(name) : error;
  };
}
