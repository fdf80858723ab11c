import { createHash } from 'node:crypto';
import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import stringify from 'safe-stable-stringify';
import type { Principal } from '@app/users';
import type { Tool } from './entities/tool.entity.js';

/** What the shared cache holds for one call: the result, and when it stops counting (epoch ms). */
interface CachedResult {
  result: unknown;
  expiresAt?: number;
}

interface NearEntry {
  /** The result as JSON: each hit gets an object of its own, as from the shared cache. */
  json: string;
  expiresAt: number;
  bytes: number;
}

/** Results kept in process memory: at most this many, of at most this many bytes each and in all. */
const NEAR_ENTRIES_MAX = 2000;
const NEAR_ENTRY_BYTES_MAX = 16 * 1024;
const NEAR_BYTES_MAX = 16 * 1024 * 1024;
/** Arguments longer than this (as JSON) are looked up in the shared cache only: they would make long memory keys. */
const NEAR_ARGS_CHARS_MAX = 512;

/**
 * Results of read-only or idempotent tools with a cache TTL, in the shared cache (Redis, or memory when embedded).
 * Keys hold the tool's version, so any change to a tool retires its results at once, and the caller's id, since a
 * tool may answer differently per caller (it gets the principal). Cache errors are misses: a dead Redis costs speed only.
 *
 * Small results are also kept in process memory, in front of the shared cache, until the time the shared entry
 * expires: an entry never changes (a changed tool has a new version, so new keys), so no instance needs telling, and
 * a hit costs neither a Redis round trip nor a JSON parse.
 */
@Injectable()
export class ToolResultCache {
  private readonly near = new Map<string, NearEntry>();
  private nearBytes = 0;

  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  static cacheable(tool: Tool): boolean {
    return tool.cacheTtlSeconds > 0 && Boolean(tool.annotations.readOnlyHint || tool.annotations.idempotentHint);
  }

  /** Never rejects: a failed read is a miss. */
  async get(tool: Tool, principal: Principal, args: Record<string, unknown>): Promise<{ result: unknown } | undefined> {
    const argsJson = stringify(args) ?? '';
    const nearKey = this.nearKey(tool, principal, argsJson);
    const entry = nearKey === undefined ? undefined : this.near.get(nearKey);
    if (entry) {
      if (entry.expiresAt > Date.now()) return { result: JSON.parse(entry.json) };
      this.forget(nearKey!, entry);
    }
    try {
      const shared = await this.cache.get<CachedResult>(this.key(tool, principal, argsJson));
      if (!shared) return undefined;
      if (nearKey !== undefined) this.keep(nearKey, shared.result, shared.expiresAt ?? Date.now() + tool.cacheTtlSeconds * 1000);
      return { result: shared.result };
    } catch {
      return undefined;
    }
  }

  async set(tool: Tool, principal: Principal, args: Record<string, unknown>, result: unknown): Promise<void> {
    const argsJson = stringify(args) ?? '';
    const ttlMs = tool.cacheTtlSeconds * 1000;
    const expiresAt = Date.now() + ttlMs;
    const nearKey = this.nearKey(tool, principal, argsJson);
    if (nearKey !== undefined) this.keep(nearKey, result, expiresAt);
    const value: CachedResult = { result, expiresAt };
    await this.cache.set(this.key(tool, principal, argsJson), value, ttlMs).catch(() => undefined);
  }

  /** The shared cache's key: the arguments go in as a digest, so none of their values ever names a Redis key. */
  private key(tool: Tool, principal: Principal, argsJson: string): string {
    const digest = createHash('sha256').update(argsJson).digest('base64url');
    return `tools:result:${tool.id}:${tool.version}:${principal.userId}:${digest}`;
  }

  private nearKey(tool: Tool, principal: Principal, argsJson: string): string | undefined {
    return argsJson.length > NEAR_ARGS_CHARS_MAX ? undefined : `${tool.id}:${tool.version}:${principal.userId}:${argsJson}`;
  }

  private keep(key: string, result: unknown, expiresAt: number): void {
    const json = JSON.stringify(result);
    if (json === undefined) return;
    const bytes = key.length + json.length;
    if (bytes > NEAR_ENTRY_BYTES_MAX) return;
    const previous = this.near.get(key);
    if (previous) this.forget(key, previous);
    // Oldest first out: Map keeps insertion order.
    while (this.near.size >= NEAR_ENTRIES_MAX || this.nearBytes + bytes > NEAR_BYTES_MAX) {
      const [oldestKey, oldest] = this.near.entries().next().value!;
      this.forget(oldestKey, oldest);
    }
    this.near.set(key, { json, expiresAt, bytes });
    this.nearBytes += bytes;
  }

  private forget(key: string, entry: NearEntry): void {
    this.near.delete(key);
    this.nearBytes -= entry.bytes;
  }
}
