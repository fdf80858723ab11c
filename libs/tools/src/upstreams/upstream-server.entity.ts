import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const UPSTREAM_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,32}$/;
export const UPSTREAM_STATUSES = ['pending', 'ok', 'error'] as const;
/** `pending` until the first contact; then whether the last sync or call reached the upstream. */
export type UpstreamStatus = (typeof UPSTREAM_STATUSES)[number];

/** A remote MCP server (Streamable HTTP) whose tools are imported into the registry as `<name>.<tool>`. */
@Entity({ name: 'upstream_servers' })
export class UpstreamServer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The prefix of its tools' names: no dots, so `<upstream>.<tool>` splits one way only. */
  @Column({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'text' })
  url: string;

  /** Header name → value sealed by SecretBox: the names stay readable, the values never leave the server. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers: Record<string, string>;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: UpstreamStatus;

  /** The last sync that reached the upstream. */
  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
