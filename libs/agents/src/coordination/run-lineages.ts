import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { agentsConfig } from '@app/core';
import type { Principal } from '@app/users';
import { agentDepthExceeded, delegatingRunNotActive } from '../agents.errors.js';
import { RunBudget } from './run-budget.js';

/** A run asked for by another run in progress: a coordinator's member, or an agent tool a run called. */
export interface Delegation {
  /** The run whose tool call asks for this one; none for a root run (REST, an MCP client, a tool invoked over REST). */
  parentRunId?: string;
  /** Aborted when whoever asked stops waiting (their timeout, their run's end, an MCP cancellation). */
  signal?: AbortSignal;
}

/** A run's place in its tree of delegations, and what the tree shares. */
export interface RunLineage {
  runId: string;
  parentRunId: string | null;
  /** Null for a root run. */
  rootRunId: string | null;
  /** 0 for a root run, 1 for the runs it delegates to… */
  depth: number;
  budget: RunBudget;
  signal?: AbortSignal;
}

interface ActiveRun {
  lineage: RunLineage;
  userId: string;
  /** Settle as the runs it delegated to end. */
  children: Set<Promise<void>>;
  ending: boolean;
  ended: () => void;
}

/**
 * The runs in progress on this instance, by id, with their place in their tree: how deep below the root, and the
 * budget the whole tree shares. A delegation always starts on the instance of the run that asks for it (its tool call
 * runs there), so the tree of a run in progress is always here.
 */
@Injectable()
export class RunLineages {
  private readonly active = new Map<string, ActiveRun>();

  constructor(@Inject(agentsConfig.KEY) private readonly config: ConfigType<typeof agentsConfig>) {}

  /** Registers a run about to start; refuses a delegation from a run not in progress, or one past AGENT_MAX_DEPTH. */
  open(principal: Principal, runId: string, delegation: Delegation = {}): RunLineage {
    const parent = delegation.parentRunId === undefined ? undefined : this.active.get(delegation.parentRunId);
    if (delegation.parentRunId !== undefined && (!parent || parent.ending || parent.userId !== principal.userId || delegation.signal?.aborted)) {
      throw delegatingRunNotActive(delegation.parentRunId);
    }
    const depth = parent ? parent.lineage.depth + 1 : 0;
    if (depth > this.config.maxDepth) throw agentDepthExceeded(depth, this.config.maxDepth);
    const lineage: RunLineage = {
      runId,
      parentRunId: parent?.lineage.runId ?? null,
      rootRunId: parent ? (parent.lineage.rootRunId ?? parent.lineage.runId) : null,
      depth,
      budget: parent?.lineage.budget ?? new RunBudget({ maxSteps: this.config.runMaxSteps, maxTokens: this.config.runMaxTokens }),
      signal: delegation.signal,
    };
    let ended!: () => void;
    const finished = new Promise<void>((resolve) => (ended = resolve));
    parent?.children.add(finished);
    this.active.set(runId, { lineage, userId: principal.userId, children: new Set(), ending: false, ended });
    return lineage;
  }

  /**
   * Takes a run out once the runs it delegated to have ended too (a run that stops early aborts them, and they record
   * how they ended), so a finished run's children are finished as well.
   */
  async close(lineage: RunLineage): Promise<void> {
    const run = this.active.get(lineage.runId);
    if (!run) return;
    run.ending = true;
    await Promise.allSettled(run.children);
    this.active.delete(lineage.runId);
    run.ended();
  }
}
