import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConversationsService, SessionContextService, type Conversation } from '@app/history';
import type { Principal } from '@app/users';
import { runNotFound } from '../agents.errors.js';
import { AgentsService } from '../agents.service.js';
import { CreateRunDto } from '../dto/run.dto.js';
import { AgentRun } from '../entities/agent-run.entity.js';
import type { Agent } from '../entities/agent.entity.js';
import { agentToolName } from '../coordination/agent-tool-name.js';
import { isPipeline, MemberCoordinator } from '../coordination/member-coordinator.js';
import { RunLineages, type Delegation, type RunLineage } from '../coordination/run-lineages.js';
import { ChatModels } from '../models/chat-models.service.js';
import { AgentRunner } from './agent-runner.js';
import { conversationHistory } from './conversation-context.js';
import { RegistryToolsets } from './registry-toolset.js';
import { FanOutSink } from './run-events.js';
import { RunJournal } from './run-journal.js';

const TITLE_MAX = 200;

/**
 * Starting and reading runs. A run acts as the principal who started it (their role decides which tools it may call)
 * in a conversation of theirs, and is readable by them and by admins; anyone else gets 404, as for a missing run.
 */
@Injectable()
export class RunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly chatModels: ChatModels,
    private readonly toolsets: RegistryToolsets,
    private readonly conversations: ConversationsService,
    private readonly sessionContext: SessionContextService,
    private readonly journal: RunJournal,
    private readonly runner: AgentRunner,
    private readonly lineages: RunLineages,
    private readonly coordinator: MemberCoordinator,
  ) {}

  /**
   * Runs the agent to its end and answers the run as it finished; refusals (404, 503…) leave nothing behind. A
   * delegation (a coordinator's member, an agent tool a run called) makes it a child of the run that asked, in that
   * run's tree: no deeper than AGENT_MAX_DEPTH, within the tree's budget, and stopped when the asking call is.
   */
  async run(principal: Principal, agentId: string, input: CreateRunDto, delegation?: Delegation): Promise<AgentRun> {
    const agent = await this.agents.get(agentId);
    const runId = randomUUID();
    const lineage = this.lineages.open(principal, runId, delegation);
    try {
      await this.execute(principal, agent, input, lineage);
    } finally {
      await this.lineages.close(lineage);
    }
    return this.dataSource.getRepository(AgentRun).findOneByOrFail({ id: runId });
  }

  private async execute(principal: Principal, agent: Agent, input: CreateRunDto, lineage: RunLineage): Promise<void> {
    const { runId } = lineage;
    // Sequential and parallel coordinators have no model of their own: they call their members' tools in a fixed order.
    const pipeline = isPipeline(agent.kind) ? agent.kind : undefined;
    const chat = pipeline ? undefined : this.chatModels.create(agent.model, agent.modelParameters);
    const team = await this.agents.teamOf(agent);
    const conversation = await this.conversationFor(principal, agent, input, lineage);
    const delegates = [...team.members, ...(team.aggregator ? [team.aggregator] : [])].map(agentToolName);
    const tools = await this.toolsets.forRun(principal, [...(pipeline ? [] : agent.tools), ...delegates], { runId, conversationId: conversation?.id });
    const history = conversation && chat ? conversationHistory(await this.sessionContext.recent(conversation.id), (name) => tools.modelName(name)) : [];
    const runs = this.dataSource.getRepository(AgentRun);
    await runs.insert({
      id: runId,
      agentId: agent.id,
      agentName: agent.name,
      agentVersion: agent.version,
      userId: principal.userId,
      conversationId: conversation?.id ?? null,
      parentRunId: lineage.parentRunId,
      rootRunId: lineage.rootRunId,
      mode: input.mode ?? 'wait',
      input: input.input,
    });
    const sink = new FanOutSink([this.journal.sinkFor(principal, conversation?.id ?? null), lineage.budget.sink]);
    const common = { runId, input: input.input, tools, timeoutMs: agent.timeoutMs, cancel: lineage.signal };
    const execution = chat
      ? this.runner.run({ ...common, chat, systemPrompt: agent.systemPrompt, history, maxSteps: agent.maxSteps, beforeModelCall: () => lineage.budget.admitModelCall() }, sink)
      : this.coordinator.run({ ...common, kind: pipeline!, ...team, conversation: conversation && { principal, id: conversation.id } }, sink);
    await execution.catch(async (error: Error) => {
      await this.journal.abandon(runId, error);
      throw error;
    });
  }

  async get(principal: Principal, id: string): Promise<AgentRun> {
    const run = await this.dataSource.getRepository(AgentRun).findOneBy({ id });
    if (!run || (principal.role !== 'admin' && run.userId !== principal.userId)) throw runNotFound(id);
    return run;
  }

  /** The runs a run delegated to, in the order they started. */
  async childRunIds(runId: string): Promise<string[]> {
    const children = await this.dataSource.getRepository(AgentRun).find({ select: { id: true }, where: { parentRunId: runId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return children.map((child) => child.id);
  }

  /** The caller's conversation to continue (another user's is 404, as the history answers), or a new one; a child run's none. */
  private async conversationFor(principal: Principal, agent: Agent, input: CreateRunDto, lineage: RunLineage): Promise<Conversation | undefined> {
    if (input.conversationId) return this.conversations.get(principal, input.conversationId);
    if (lineage.parentRunId) return undefined;
    const title = `${agent.name}: ${input.input.replace(/\s+/g, ' ').trim()}`;
    return this.conversations.create(principal, { title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title, agentId: agent.id });
  }
}
