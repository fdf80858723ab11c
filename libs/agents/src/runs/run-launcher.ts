import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException } from '@app/core';
import { SessionContextService } from '@app/history';
import { User, type Principal } from '@app/users';
import { AgentsService } from '../agents.service.js';
import { agentToolName } from '../coordination/agent-tool-name.js';
import { isPipeline, MemberCoordinator } from '../coordination/member-coordinator.js';
import { RunLineages, type RunLineage } from '../coordination/run-lineages.js';
import type { AgentRun } from '../entities/agent-run.entity.js';
import type { Agent } from '../entities/agent.entity.js';
import { ChatModels } from '../models/chat-models.service.js';
import { parseModelRef } from '../models/model-ref.js';
import { ActiveRuns } from './active-runs.js';
import { AgentRunner, type RunOutcome } from './agent-runner.js';
import { conversationHistory } from './conversation-context.js';
import { RegistryToolsets } from './registry-toolset.js';
import { RunAdmission } from './run-admission.js';
import { RunEventLog } from './run-event-log.js';
import { FanOutSink, type RunEventSink } from './run-events.js';
import { RunJournal } from './run-journal.js';
import { RunObservers } from './run-observers.js';
import { writeBehind } from './write-behind-sink.js';

/**
 * How long a run's journal waits before writing what the run reported: long enough for the run's tool calls and its
 * next model request to go out first (traced on the bench: 2–8 ms, longer in a GC pause; at 5 ms an embedded write
 * often landed in front of the request), short beside any model's answer. See writeBehind.
 */
const JOURNAL_PAUSE_MS = 20;

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
    private readonly lineages: RunLineages,
    private readonly coordinator: MemberCoordinator,
  ) {}

  /** False once the app is stopping: runs are no longer started here. */
  get accepting(): boolean {
    return !this.active.closing;
  }

  /**
   * Runs a claimed run to its end; resolves when it has ended, never rejects. `agent` is the definition the caller
   * admitted it with; a queued run (no agent given) runs the agent as it is when it starts, as the caller it was
   * queued by (null for a row queued by an older version, which can't start). `lineage` is the run's place in its
   * tree of delegations, opened by whoever admitted it; a queued run is the root of a tree of its own.
   */
  launch(run: AgentRun, principal: Principal | null, agent?: Agent, lineage?: RunLineage): Promise<void> {
    return this.active
      .hold(run.id, (cancel) => this.execute(run, principal, agent, lineage, cancel))
      .finally(() => {
        // In the next turn of the event loop, so a caller waiting for this run reads it first: on the embedded
        // database (one session) that read would otherwise queue behind the claim.
        if (run.conversationId && !run.parentRunId) setImmediate(() => void this.startNext(run.conversationId!));
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

  private async execute(run: AgentRun, principal: Principal | null, admitted: Agent | undefined, given: RunLineage | undefined, cancel: AbortSignal): Promise<void> {
    // The run waits for none of the writes of its events but the last: a model turn never waits on the database.
    const log = writeBehind(this.log.writerFor(run.id));
    // How a run that ended outside the runner's loop tells its followers (after what it logged so far) and the observers.
    const ended = (code: string, message: string) =>
      new FanOutSink([log, this.observers.sinkFor(run.agentName)]).emit({ type: 'run.failed', runId: run.id, status: 'failed', code, message, usage: NO_USAGE });
    let lineage = given;
    try {
      let execution: (sink: RunEventSink) => Promise<RunOutcome>;
      let sink: RunEventSink;
      try {
        // A run admitted by this request acts as its caller; a queued one as they were when they queued it.
        const actor = admitted && principal ? principal : await this.queuedBy(run, principal);
        const agent = admitted ?? (await this.currentAgent(run));
        lineage ??= this.lineages.open(actor, run.id);
        const journal = writeBehind(this.journal.writerFor(actor, run.conversationId), JOURNAL_PAUSE_MS);
        sink = new FanOutSink([journal, log, lineage.budget.sink, this.observers.sinkFor(agent.name, isPipeline(agent.kind) ? undefined : parseModelRef(agent.model))]);
        execution = await this.plan(run, actor, agent, lineage, lineage.signal ? AbortSignal.any([cancel, lineage.signal]) : cancel);
      } catch (error) {
        if (error instanceof NotStartable || error instanceof DomainException) {
          await this.journal.fail(run.id, error.code, error.message);
          return await ended(error.code, error.message);
        }
        await this.journal.abandon(run.id, error as Error);
        return await ended('RUN_INTERRUPTED', `The run stopped on a server error: ${(error as Error).message}`);
      }
      try {
        await execution(sink);
      } catch (error) {
        // The journal could not write (the database went away): close the row if it can, and tell the followers.
        await this.journal.abandon(run.id, error as Error);
        await ended('RUN_INTERRUPTED', `The run stopped on a server error: ${(error as Error).message}`);
      }
    } finally {
      if (lineage) await this.lineages.close(lineage);
    }
  }

  /**
   * How the run goes: a single agent or a supervisor through the model loop (a supervisor's members are tools of its
   * own), a sequential or parallel coordinator through its members in their fixed pattern. Either way a delegation is
   * a call of the member's agent tool, which starts a child run in this run's tree.
   */
  private async plan(run: AgentRun, principal: Principal, agent: Agent, lineage: RunLineage, cancel: AbortSignal): Promise<(sink: RunEventSink) => Promise<RunOutcome>> {
    const team = await this.agents.teamOf(agent);
    const delegates = [...team.members, ...(team.aggregator ? [team.aggregator] : [])].map(agentToolName);
    const { conversationId } = run;
    const common = { runId: run.id, input: run.input, timeoutMs: agent.timeoutMs, cancel };
    if (isPipeline(agent.kind)) {
      const tools = await this.toolsets.forRun(principal, delegates, { runId: run.id, conversationId: conversationId ?? undefined });
      const plan = { ...common, kind: agent.kind, ...team, tools, conversation: conversationId ? { principal, id: conversationId } : undefined };
      return (sink) => this.coordinator.run(plan, sink);
    }
    const chat = await this.chatModels.create(agent.model, agent.modelParameters);
    const tools = await this.toolsets.forRun(principal, [...agent.tools, ...delegates], { runId: run.id, conversationId: conversationId ?? undefined });
    const history = conversationId ? conversationHistory(await this.sessionContext.recent(conversationId), (name) => tools.modelName(name)) : [];
    const plan = { ...common, chat, systemPrompt: agent.systemPrompt, history, tools, maxSteps: agent.maxSteps, beforeModelCall: () => lineage.budget.admitModelCall() };
    return (sink) => this.runner.run(plan, sink);
  }

  /** The agent a queued run starts with: as it is now, recorded on the run. */
  private async currentAgent(run: AgentRun): Promise<Agent> {
    if (!run.agentId) throw new NotStartable('AGENT_NOT_FOUND', `The agent ${run.agentName} was deleted before the run started.`);
    const agent = await this.agents.get(run.agentId);
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
