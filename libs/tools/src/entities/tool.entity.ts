import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { UserRole } from '@app/users';

export const TOOL_KINDS = ['builtin', 'http', 'mcp', 'agent'] as const;
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
export type ToolKind = (typeof TOOL_KINDS)[number];

/** MCP tool annotations: hints for clients, and readOnly/idempotent also make a tool's results cacheable. */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export type JsonSchema = Record<string, unknown>;

@Entity({ name: 'tools' })
export class Tool {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ToolKind;

  /** JSON Schema 2020-12, stored exactly as given. */
  @Column({ name: 'input_schema', type: 'jsonb' })
  inputSchema: JsonSchema;

  @Column({ name: 'output_schema', type: 'jsonb', nullable: true })
  outputSchema: JsonSchema | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  annotations: ToolAnnotations;

  /** What the kind's handler needs (URL template, upstream, builtin name…). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'timeout_ms', type: 'integer', default: 30_000 })
  timeoutMs: number;

  @Column({ name: 'cache_ttl_seconds', type: 'integer', default: 0 })
  cacheTtlSeconds: number;

  @Column({ name: 'allowed_roles', type: 'text', array: true, default: () => "'{admin,member}'" })
  allowedRoles: UserRole[];

  /** Bumped on every change: compiled validators and cached results are keyed by it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
