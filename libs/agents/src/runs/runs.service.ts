import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConversationsService, type Conversation } from '@app/history';
import type { Principal } from '@app/users';
import { runNotFound, serverStopping } from '../agents.errors.js';
import { AgentsService } from '../agents.service.js';
import { isPipeline } from '../coordination/member-coordinator.js';
import { RunLineages, type Delegation, type RunLineage } from '../coordination/run-lineages.js';
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
    private readonly lineages: RunLineages,
    private readonly admission: RunAdmission,
    private readonly launcher: RunLauncher,
    private readonly follower: RunEventFollower,
  ) {}

  /**
   * Runs the agent to its end and answers the run as it finished; refusals (404, 409, 503…) leave nothing behind. A
   * delegation (a coordinator's member, an agent tool a run called) makes it a child of the run that asked, in that
   * run's tree: no deeper than AGENT_MAX_DEPTH, within the tree's budget, and stopped when the asking call is.
   */
  async run(principal: Principal, agentId: string, input: CreateRunDto, delegation?: Delegation): Promise<AgentRun> {
    return this.finished(await this.start(principal, agentId, input, delegation));
  }

  /**
   * Admits a run and starts it on this instance, or queues it behind the conversation's active run (multitask
   * `enqueue`; otherwise a busy conversation is 409). Answers at once, with the run as admitted. A child run starts
   * at once: it shares its parent's turn in the conversation.
   */
  async start(principal: Principal, agentId: string, input: CreateRunDto, delegation?: Delegation): Promise<StartedRun> {
    if (!this.launcher.accepting) throw serverStopping();
    const agent = await this.agents.get(agentId);
    // Refuses an unconfigured provider (503) before anything is recorded; sequential and parallel have no model.
    if (!isPipeline(agent.kind)) this.chatModels.assertConfigured(agent.model);
    const lineage = this.lineages.open(principal, randomUUID(), delegation);
    try {
      const conversation = await this.conversationFor(principal, agent, input, lineage);
      const newRun = { id: lineage.runId, agent, principal, conversationId: conversation?.id ?? null, mode: input.mode ?? 'wait', input: input.input };
      if (lineage.parentRunId) {
        const child = await this.admission.admitChild(newRun, lineage);
        return { run: child, ended: this.launcher.launch(child, principal, agent, lineage) };
      }
      const run = await this.admission.admit({ ...newRun, conversationId: conversation!.id }, input.multitask);
      if (run.status === 'running') return { run, ended: this.launcher.launch(run, principal, agent, lineage) };
      // Queued: it gets a lineage of its own when it starts. The run ahead may have ended between the admission and
      // now, with nobody left to start this one.
      await this.lineages.close(lineage);
      await this.launcher.startNext(conversation!.id);
      return { run };
    } catch (error) {
      await this.lineages.close(lineage);
      throw error;
    }
  }

  /** Resolves once the run has ended, wherever it ran. */
  async ended({ run, ended }: StartedRun): Promise<void> {
    await (ended ?? this.follower.untilEnd(run.id));
  }

  /** The run once it has ended, wherever it ran. */
  async finished(started: StartedRun): Promise<AgentRun> {
    await this.ended(started);
    return this.dataSource.getRepository(AgentRun).findOneByOrFail({ id: started.run.id });
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
