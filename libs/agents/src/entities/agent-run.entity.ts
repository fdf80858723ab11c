import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Principal } from '@app/users';
import type { RunStep } from './run-step.js';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export const RUN_MODES = ['wait', 'stream', 'background'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** One execution of an agent: its steps as they happened, the tokens it spent and how it ended. */
@Entity({ name: 'agent_runs' })
export class AgentRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null once the agent is deleted; agentName and agentVersion still say what ran. */
  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ name: 'agent_name', type: 'varchar', length: 58 })
  agentName: string;

  @Column({ name: 'agent_version', type: 'integer' })
  agentVersion: number;

  /** Who started it; the run acts with their role and scopes. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId: string | null;

  /** The coordinator run that delegated this one. */
  @Column({ name: 'parent_run_id', type: 'uuid', nullable: true })
  parentRunId: string | null;

  /** The run at the top of this one's tree of delegations; null for a run that is its own root. */
  @Column({ name: 'root_run_id', type: 'uuid', nullable: true })
  rootRunId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: RunStatus;

  @Column({ type: 'varchar', length: 16 })
  mode: RunMode;

  @Column({ type: 'text' })
  input: string;

  @Column({ type: 'text', nullable: true })
  output: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  steps: RunStep[];

  @Column({ name: 'input_tokens', type: 'integer', default: 0 })
  inputTokens: number;

  @Column({ name: 'output_tokens', type: 'integer', default: 0 })
  outputTokens: number;

  @Column({ name: 'total_tokens', type: 'integer', default: 0 })
  totalTokens: number;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  /** The instance running it (its ClusterBus id), which refreshes heartbeatAt while it does. */
  @Column({ name: 'instance_id', type: 'varchar', length: 64, nullable: true })
  instanceId: string | null;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  /** Set by a cancel; the holder stops the run on the bus message, or at its next heartbeat if that was lost. */
  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt: Date | null;

  /** A queued run's caller as they were when they enqueued it; whichever instance starts the run acts as them (cleared then). */
  @Column({ type: 'jsonb', nullable: true, select: false })
  principal: Principal | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
