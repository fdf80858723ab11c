import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterBus, hydrate, isUniqueViolation } from '@app/core';
import type { Principal } from '@app/users';
import { conversationBusy } from '../agents.errors.js';
import type { Multitask } from '../dto/run.dto.js';
import { AgentRun, type RunMode } from '../entities/agent-run.entity.js';
import type { RunLineage } from '../coordination/run-lineages.js';
import type { Agent } from '../entities/agent.entity.js';

export interface NewRun {
  id: string;
  agent: Agent;
  principal: Principal;
  conversationId: string | null;
  mode: RunMode;
  input: string;
}

/** A queued run this instance has just taken, with the caller it acts as. */
export interface ClaimedRun {
  run: AgentRun;
  principal: Principal | null;
}

/** Another top-level run of the conversation is waiting or going: coordinators' child runs share their parent's turn. */
const CONVERSATION_ACTIVE = `SELECT 1 FROM agent_runs WHERE conversation_id = $1::uuid AND status IN ('queued', 'running') AND parent_run_id IS NULL`;

/**
 * One active run per conversation, across every instance. A run is admitted `running`, claimed by this instance, when
 * its conversation has nothing queued or running; else it is refused with 409 CONVERSATION_BUSY, or queued when the
 * caller enqueues. The database decides: a unique index allows one running top-level run per conversation, so of two
 * instances admitting at once one wins and the other sees the conflict.
 */
@Injectable()
export class RunAdmission {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: ClusterBus,
  ) {}

  async admit(run: NewRun & { conversationId: string }, multitask: Multitask = 'reject'): Promise<AgentRun> {
    const running = await this.insertRunning(run);
    if (running) return running;
    if (multitask !== 'enqueue') throw conversationBusy(run.conversationId);
    await this.dataSource.getRepository(AgentRun).insert({ ...this.columns(run), status: 'queued', principal: run.principal });
    return this.read(run.id);
  }

  /** A coordinator's member or an agent tool's run: claimed here at once, in its parent's turn of the conversation. */
  async admitChild(run: NewRun, lineage: Pick<RunLineage, 'parentRunId' | 'rootRunId'>): Promise<AgentRun> {
    await this.dataSource.getRepository(AgentRun).insert({
      ...this.columns(run),
      parentRunId: lineage.parentRunId,
      rootRunId: lineage.rootRunId,
      status: 'running',
      instanceId: this.bus.instanceId,
      heartbeatAt: () => 'now()',
    });
    return this.read(run.id);
  }

  /** Takes the conversation's oldest queued run for this instance, if nothing of it is running. */
  async claimNext(conversationId: string): Promise<ClaimedRun | undefined> {
    let claimed: (Record<string, unknown> & { claimed_principal: Principal | null })[];
    try {
      claimed = await this.dataSource.query(
        // The caller's copy goes with the claim: it is kept only while the run waits.
        `WITH next AS (
           SELECT id, principal FROM agent_runs WHERE conversation_id = $1 AND status = 'queued' AND parent_run_id IS NULL ORDER BY created_at, id LIMIT 1
         ), claimed AS (
           UPDATE agent_runs SET status = 'running', instance_id = $2, heartbeat_at = now(), updated_at = now(), principal = NULL
           FROM next WHERE agent_runs.id = next.id AND agent_runs.status = 'queued'
             AND NOT EXISTS (SELECT 1 FROM agent_runs WHERE conversation_id = $1 AND status = 'running' AND parent_run_id IS NULL)
           RETURNING agent_runs.*, next.principal AS claimed_principal
         ) SELECT * FROM claimed`,
        [conversationId, this.bus.instanceId],
      );
    } catch (error) {
      // Another instance started a run of the conversation at the same moment.
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    if (claimed.length === 0) return undefined;
    return { run: hydrate(this.dataSource, AgentRun, claimed[0]), principal: claimed[0].claimed_principal };
  }

  /** The run as admitted, or nothing when its conversation has an active run. */
  private async insertRunning(run: NewRun): Promise<AgentRun | undefined> {
    const columns = { ...this.columns(run), status: 'running', instanceId: this.bus.instanceId };
    try {
      const inserted: Record<string, unknown>[] = await this.dataSource.query(
        `WITH inserted AS (
           INSERT INTO agent_runs (id, agent_id, agent_name, agent_version, user_id, conversation_id, mode, input, status, instance_id, heartbeat_at)
           SELECT $2::uuid, $3::uuid, $4::varchar, $5::integer, $6::uuid, $1::uuid, $7::varchar, $8::text, $9::varchar, $10::varchar, now()
           WHERE NOT EXISTS (${CONVERSATION_ACTIVE})
           RETURNING *
         ) SELECT * FROM inserted`,
        [columns.conversationId, columns.id, columns.agentId, columns.agentName, columns.agentVersion, columns.userId, columns.mode, columns.input, columns.status, columns.instanceId],
      );
      return inserted.length > 0 ? hydrate(this.dataSource, AgentRun, inserted[0]) : undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  private columns({ id, agent, principal, conversationId, mode, input }: NewRun) {
    return { id, agentId: agent.id, agentName: agent.name, agentVersion: agent.version, userId: principal.userId, conversationId, mode, input };
  }

  private read(id: string): Promise<AgentRun> {
    return this.dataSource.getRepository(AgentRun).findOneByOrFail({ id });
  }
}
