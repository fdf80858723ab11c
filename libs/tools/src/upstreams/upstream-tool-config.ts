import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Tool } from '../entities/tool.entity.js';
import type { UpstreamServer } from './upstream-server.entity.js';

/** Why sync took a tool out of service: it re-enables it when the reason goes away, never a tool an admin disabled. */
export type Suspension = 'removed' | 'upstream-disabled';

/** The config of a tool of kind `mcp` (a type, not an interface, so it fits the row's `Record<string, unknown>`). */
export type UpstreamToolConfig = {
  upstreamId: string;
  /** The tool's name on the upstream. */
  remoteName: string;
  /** Of the upstream's URL and headers: a pooled client made under another revision is replaced. */
  revision: string;
  suspended?: Suspension;
};

export function upstreamToolConfig(tool: Tool): UpstreamToolConfig {
  const config = tool.config as Partial<UpstreamToolConfig>;
  if (typeof config.upstreamId !== 'string' || typeof config.remoteName !== 'string') throw new Error(`${tool.name} has no upstream in its config`);
  return config as UpstreamToolConfig;
}

/** Changes whenever what a connection is made from (URL, sealed headers) changes. */
export function connectionRevision(upstream: Pick<UpstreamServer, 'url' | 'headers'>): string {
  return createHash('sha256').update(stringify([upstream.url, upstream.headers])).digest('base64url').slice(0, 16);
}
