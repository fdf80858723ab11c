import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConversationsService, type Conversation } from '@app/history';
import type { Principal } from '@app/users';
import { agentKindNotRunnable, runNotFound, serverStopping } from '../agents.errors.js';
import { AgentsService } from '../agents.service.js';
import { CreateRunDto } from '../dto/run.dto.js';
import { AgentRun } from '../entities/agent-run.entity.js';
import type { Agent } from '../entities/agent.entity.js';
import { ChatModels } from '../models/chat-models.service.js';
import { RunAdmission } from './run-admission.js';
import { RunEventFollower } from './run-event-follower.js';
import { RunLauncher } from './run-launcher.js';

const TITLE_MAX = 200;

/** A run just admitted: running here (`ended` settles when it has ended), or queued behind another. */
export interface StartedRun {
  run: AgentRun;
  ended?: Promise<void>;
}

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
    private readonly conversations: ConversationsService,
    private readonly admission: RunAdmission,
    private readonly launcher: RunLauncher,
    private readonly follower: RunEventFollower,
  ) {}

  /** Runs the agent to its end and answers the run as it finished; refusals (404, 409, 503…) leave nothing behind. */
  async run(principal: Principal, agentId: string, input: CreateRunDto): Promise<AgentRun> {
    return this.finished(await this.start(principal, agentId, input));
  }

  /**
   * Admits a run and starts it on this instance, or queues it behind the conversation's active run (multitask
   * `enqueue`; otherwise a busy conversation is 409). Answers at once, with the run as admitted.
   */
  async start(principal: Principal, agentId: string, input: CreateRunDto): Promise<StartedRun> {
    if (!this.launcher.accepting) throw serverStopping();
    const agent = await this.agents.get(agentId);
    if (agent.kind !== 'single') throw agentKindNotRunnable(agent.name, agent.kind);
    // Refuses an unconfigured provider (503) before anything is recorded.
    this.chatModels.create(agent.model, agent.modelParameters);
    const conversation = await this.conversationFor(principal, agent, input);
    const newRun = { id: randomUUID(), agent, principal, conversationId: conversation.id, mode: input.mode ?? 'wait', input: input.input };
    const run = await this.admission.admit(newRun, input.multitask);
    if (run.status === 'running') return { run, ended: this.launcher.launch(run, principal, agent) };
    // The run ahead may have ended between the admission and now, with nobody left to start this one.
    await this.launcher.startNext(conversation.id);
    return { run };
  }

  /** The run once it has ended, wherever it ran. */
  async finished({ run, ended }: StartedRun): Promise<AgentRun> {
    await (ended ?? this.follower.untilEnd(run.id));
    return this.dataSource.getRepository(AgentRun).findOneByOrFail({ id: run.id });
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
