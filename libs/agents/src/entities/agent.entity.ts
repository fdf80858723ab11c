import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const AGENT_KINDS = ['single', 'supervisor', 'sequential', 'parallel'] as const;
/** `single` runs its own model over tools; the others coordinate member agents. */
export type AgentKind = (typeof AGENT_KINDS)[number];

/** No dots, and short enough that `agent.<name>` is itself a valid tool name (agents become tools of kind agent). */
export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,58}$/;

/** Sampling parameters handed to the provider's chat model; each is optional and left to the provider's default. */
export interface ModelParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stopSequences?: string[];
}

@Entity({ name: 'agents' })
export class Agent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 58 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ name: 'system_prompt', type: 'text', default: '' })
  systemPrompt: string;

  /** `provider:model`, e.g. `openai:gpt-4o-mini`; the provider is resolved at run time. */
  @Column({ type: 'varchar', length: 200 })
  model: string;

  @Column({ name: 'model_parameters', type: 'jsonb', default: () => "'{}'" })
  modelParameters: ModelParameters;

  /** Tool names or globs (`calculator`, `github.*`) the agent may call. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tools: string[];

  /** Model turns a run may take before it fails with AGENT_MAX_STEPS. */
  @Column({ name: 'max_steps', type: 'integer', default: 10 })
  maxSteps: number;

  /** A run still going after this long stops as timed_out. */
  @Column({ name: 'timeout_ms', type: 'integer', default: 120_000 })
  timeoutMs: number;

  @Column({ type: 'varchar', length: 16, default: 'single' })
  kind: AgentKind;

  /** Coordinators only: the member agents, in order (sequential runs them in this order). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  members: string[];

  /** Parallel coordinators only: the agent that merges the members' outputs into the answer; none joins them as they are. */
  @Column({ name: 'aggregator_id', type: 'uuid', nullable: true })
  aggregatorId: string | null;

  /** Bumped on every change; a run records the version it ran. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
