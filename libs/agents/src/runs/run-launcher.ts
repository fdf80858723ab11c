import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException } from '@app/core';
import { SessionContextService } from '@app/history';
import { User, type Principal } from '@app/users';
import { agentKindNotRunnable } from '../agents.errors.js';
import { AgentsService } from '../agents.service.js';
import type { AgentRun } from '../entities/agent-run.entity.js';
import type { Agent } from '../entities/agent.entity.js';
import { ChatModels } from '../models/chat-models.service.js';
import { parseModelRef } from '../models/model-ref.js';
import { ActiveRuns } from './active-runs.js';
import { AgentRunner, type RunPlan } from './agent-runner.js';
import { conversationHistory } from './conversation-context.js';
import { RegistryToolsets } from './registry-toolset.js';
import { RunAdmission } from './run-admission.js';
import { RunEventLog } from './run-event-log.js';
import { FanOutSink, type RunEventSink } from './run-events.js';
import { RunJournal } from './run-journal.js';
import { RunObservers } from './run-observers.js';
import { writeBehind } from './write-behind-sink.js';

const NO_USAGE = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** A run can't start: the failure its followers and its row get. */
class NotStartable extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a run this instance has claimed, whatever its mode: resolves the agent, its model, its tools and the
 * conversation so far, then drives the runner with its events going to the journal (row and conversation), the
 * event log (followers on every instance) and the observers (metrics). When it ends, the next queued run of its
 * conversation starts here.
 */
@Injectable()
export class RunLauncher {
  private readonly logger = new Logger(RunLauncher.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly chatModels: ChatModels,
    private readonly toolsets: RegistryToolsets,
    private readonly sessionContext: SessionContextService,
    private readonly journal: RunJournal,
    private readonly runner: AgentRunner,
    private readonly log: RunEventLog,
    private readonly observers: RunObservers,
    private readonly admission: RunAdmission,
    private readonly active: ActiveRuns,
  ) {}

  /** False once the app is stopping: runs are no longer started here. */
  get accepting(): boolean {
    return !this.active.closing;
  }

  /**
   * Runs a claimed run to its end; resolves when it has ended, never rejects. `agent` is the definition the caller
   * admitted it with; a queued run (no agent given) runs the agent as it is when it starts, as the caller it was
   * queued by (null for a row queued by an older version, which can't start).
   */
  launch(run: AgentRun, principal: Principal | null, agent?: Agent): Promise<void> {
    return this.active
      .hold(run.id, (cancel) => this.execute(run, principal, agent, cancel))
      .finally(() => {
        if (run.conversationId) void this.startNext(run.conversationId);
      });
  }

  /** Starts the conversation's next queued run here, unless something of it is running or the app is stopping. */
  async startNext(conversationId: string): Promise<void> {
    if (this.active.closing) return;
    try {
      const next = await this.admission.claimNext(conversationId);
      if (next) void this.launch(next.run, next.principal);
    } catch (error) {
      this.logger.warn(`the next run of conversation ${conversationId} did not start: ${(error as Error).message}`);
    }
  }

  private async execute(run: AgentRun, principal: Principal | null, admitted: Agent | undefined, cancel: AbortSignal): Promise<void> {
    // The run waits for none of the writes of its events but the last: a model turn never waits on the database.
    const log = writeBehind(this.log.writerFor(run.id));
    // How a run that ended outside the runner's loop tells its followers (after what it logged so far) and the observers.
    const ended = (code: string, message: string) =>
      new FanOutSink([log, this.observers.sinkFor(run.agentName)]).emit({ type: 'run.failed', runId: run.id, status: 'failed', code, message, usage: NO_USAGE });
    let plan: RunPlan;
    let sink: RunEventSink;
    try {
      // A run admitted by this request acts as its caller; a queued one as they were when they queued it.
      const actor = admitted && principal ? principal : await this.queuedBy(run, principal);
      const agent = admitted ?? (await this.currentAgent(run));
      const journal = writeBehind(this.journal.sinkFor(actor, run.conversationId!));
      sink = new FanOutSink([journal, log, this.observers.sinkFor(agent.name, parseModelRef(agent.model))]);
      plan = await this.plan(run, actor, agent, cancel);
    } catch (error) {
      if (error instanceof NotStartable || error instanceof DomainException) {
        await this.journal.fail(run.id, error.code, error.message);
        return ended(error.code, error.message);
      }
      await this.journal.abandon(run.id, error as Error);
      return ended('RUN_INTERRUPTED', `The run stopped on a server error: ${(error as Error).message}`);
    }
    try {
      await this.runner.run(plan, sink);
    } catch (error) {
      // The journal could not write (the database went away): close the row if it can, and tell the followers.
      await this.journal.abandon(run.id, error as Error);
      await ended('RUN_INTERRUPTED', `The run stopped on a server error: ${(error as Error).message}`);
    }
  }

  private async plan(run: AgentRun, principal: Principal, agent: Agent, cancel: AbortSignal): Promise<RunPlan> {
    const chat = this.chatModels.create(agent.model, agent.modelParameters);
    const conversationId = run.conversationId!;
    const tools = await this.toolsets.forRun(principal, agent.tools, { runId: run.id, conversationId });
    const history = conversationHistory(await this.sessionContext.recent(conversationId), (name) => tools.modelName(name));
    return { runId: run.id, chat, systemPrompt: agent.systemPrompt, history, input: run.input, tools, maxSteps: agent.maxSteps, timeoutMs: agent.timeoutMs, cancel };
  }

  /** The agent a queued run starts with: as it is now, recorded on the run. */
  private async currentAgent(run: AgentRun): Promise<Agent> {
    if (!run.agentId) throw new NotStartable('AGENT_NOT_FOUND', `The agent ${run.agentName} was deleted before the run started.`);
    const agent = await this.agents.get(run.agentId);
    if (agent.kind !== 'single') throw agentKindNotRunnable(agent.name, agent.kind);
    if (agent.version !== run.agentVersion || agent.name !== run.agentName) {
      await this.dataSource.query(`UPDATE agent_runs SET agent_version = $2, agent_name = $3 WHERE id = $1`, [run.id, agent.version, agent.name]);
    }
    return agent;
  }

  /** A queued run acts as its caller did, with their role as it is now; a caller disabled meanwhile can't run it. */
  private async queuedBy(run: AgentRun, principal: Principal | null): Promise<Principal> {
    if (!principal) throw new NotStartable('RUN_INTERRUPTED', 'The run was queued by an earlier server version and cannot start.');
    const user = await this.dataSource.getRepository(User).findOneBy({ id: run.userId });
    if (!user || user.status !== 'active') throw new NotStartable('USER_DISABLED', 'The user who queued the run is disabled.');
    return { ...principal, role: user.role };
  }
}
