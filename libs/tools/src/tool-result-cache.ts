import { createHash } from 'node:crypto';
import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import stringify from 'safe-stable-stringify';
import type { Principal } from '@app/users';
import type { Tool } from './entities/tool.entity.js';

/**
 * Results of read-only or idempotent tools with a cache TTL, in the shared cache (Redis, or memory when embedded).
 * Keys hold the tool's version, so any change to a tool retires its results at once, and the caller's id, since a
 * tool may answer differently per caller (it gets the principal). Cache errors are misses: a dead Redis costs speed only.
 */
@Injectable()
export class ToolResultCache {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  static cacheable(tool: Tool): boolean {
    return tool.cacheTtlSeconds > 0 && Boolean(tool.annotations.readOnlyHint || tool.annotations.idempotentHint);
  }

  /** Never rejects: a failed read is a miss. */
  async get(tool: Tool, principal: Principal, args: Record<string, unknown>): Promise<{ result: unknown } | undefined> {
    try {
      return (await this.cache.get<{ result: unknown }>(this.key(tool, principal, args))) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(tool: Tool, principal: Principal, args: Record<string, unknown>, result: unknown): Promise<void> {
    await this.cache.set(this.key(tool, principal, args), { result }, tool.cacheTtlSeconds * 1000).catch(() => undefined);
  }

  private key(tool: Tool, principal: Principal, args: Record<string, unknown>): string {
    const digest = createHash('sha256').update(stringify(args) ?? '').digest('base64url');
    return `tools:result:${tool.id}:${tool.version}:${principal.userId}:${digest}`;
  }
}
