import { Column, Entity, PrimaryColumn } from 'typeorm';

export const INVOCATION_SOURCES = ['rest', 'mcp', 'agent'] as const;
export type InvocationSource = (typeof INVOCATION_SOURCES)[number];
export const INVOCATION_STATUSES = ['ok', 'error', 'timeout', 'cancelled'] as const;
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number];

/** One tool call, whichever way it came in; written in batches by HistoryRecorder, so its id and time are the caller's. */
@Entity({ name: 'tool_invocations' })
export class ToolInvocation {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'tool_name', type: 'varchar', length: 64 })
  toolName: string;

  @Column({ type: 'varchar', length: 8 })
  source: InvocationSource;

  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  /** With secret-looking values redacted. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  arguments: Record<string, unknown>;

  /** Truncated past HISTORY_RESULT_MAX_BYTES. */
  @Column({ type: 'jsonb', nullable: true })
  result: unknown;

  @Column({ type: 'varchar', length: 16 })
  status: InvocationStatus;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ type: 'boolean', default: false })
  cached: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
