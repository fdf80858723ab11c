import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConversationsService, SessionContextService, type Conversation } from '@app/history';
import type { Principal } from '@app/users';
import { agentKindNotRunnable, runNotFound } from '../agents.errors.js';
import { AgentsService } from '../agents.service.js';
import { CreateRunDto } from '../dto/run.dto.js';
import { AgentRun } from '../entities/agent-run.entity.js';
import type { Agent } from '../entities/agent.entity.js';
import { ChatModels } from '../models/chat-models.service.js';
import { AgentRunner } from './agent-runner.js';
import { conversationHistory } from './conversation-context.js';
import { RegistryToolsets } from './registry-toolset.js';
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
  ) {}

  /** Runs the agent to its end and answers the run as it finished; refusals (404, 503…) leave nothing behind. */
  async run(principal: Principal, agentId: string, input: CreateRunDto): Promise<AgentRun> {
    const agent = await this.agents.get(agentId);
    if (agent.kind !== 'single') throw agentKindNotRunnable(agent.name, agent.kind);
    const chat = this.chatModels.create(agent.model, agent.modelParameters);
    const conversation = await this.conversationFor(principal, agent, input);
    const runId = randomUUID();
    const tools = await this.toolsets.forRun(principal, agent.tools, { runId, conversationId: conversation.id });
    const history = conversationHistory(await this.sessionContext.recent(conversation.id), (name) => tools.modelName(name));
    const runs = this.dataSource.getRepository(AgentRun);
    await runs.insert({
      id: runId,
      agentId: agent.id,
      agentName: agent.name,
      agentVersion: agent.version,
      userId: principal.userId,
      conversationId: conversation.id,
      mode: input.mode ?? 'wait',
      input: input.input,
    });
    const plan = {
      runId,
      chat,
      systemPrompt: agent.systemPrompt,
      history,
      input: input.input,
      tools,
      maxSteps: agent.maxSteps,
      timeoutMs: agent.timeoutMs,
    };
    await this.runner.run(plan, this.journal.sinkFor(principal, conversation.id)).catch(async (error: Error) => {
      await this.journal.abandon(runId, error);
      throw error;
    });
    return runs.findOneByOrFail({ id: runId });
  }

  async get(principal: Principal, id: string): Promise<AgentRun> {
    const run = await this.dataSource.getRepository(AgentRun).findOneBy({ id });
    if (!run || (principal.role !== 'admin' && run.userId !== principal.userId)) throw runNotFound(id);
    return run;
  }

  /** The caller's conversation to continue (another user's is 404, as the history answers), or a new one. */
  private conversationFor(principal: Principal, agent: Agent, input: CreateRunDto): Promise<Conversation> {
    if (input.conversationId) return this.conversations.get(principal, input.conversationId);
    const title = `${agent.name}: ${input.input.replace(/\s+/g, ' ').trim()}`;
    return this.conversations.create(principal, { title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title, agentId: agent.id });
  }
}
