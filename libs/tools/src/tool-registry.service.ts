import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterBus, DEFAULT_PAGE_SIZE, invalidCursor, Page, PageRequest, RedisService } from '@app/core';
import type { Principal } from '@app/users';
import { ToolListQueryDto } from './dto/tool.dto.js';
import { Tool, TOOL_NAME_PATTERN } from './entities/tool.entity.js';
import { toolNotFound } from './tools.errors.js';

interface Snapshot {
  version: string;
  /** By name, in name order. */
  tools: Map<string, Tool>;
  /** Pages already listed from this snapshot, by role and query: the same request gets the same page object. */
  pages: Map<string, Page<Tool>>;
}

/** Distinct (role, query) pages kept per snapshot; past it the memo starts over, so odd queries can't grow memory. */
const MAX_MEMOIZED_PAGES = 500;
/** The cluster-bus topic announcing a committed registry change. */
const REGISTRY_CHANGED = 'tools.registry-changed';

/**
 * The registry, held in memory per instance and reloaded whenever the registry version changes. The version lives in
 * Redis (a fresh random token after every committed change, so a Redis that lost its data can never bring back a
 * version an instance already holds), and each lookup reads it (through `RedisService.cachedGet`: from memory until
 * Redis says the key changed), so a change made on one instance is seen by every instance on its next call. Without
 * Redis the version is this process's own; with Redis unreachable lookups read the database, never a snapshot that
 * might be stale.
 */
@Injectable()
export class ToolRegistry {
  private readonly logger = new Logger(ToolRegistry.name);
  private snapshot?: Snapshot;
  private loading?: Promise<Snapshot>;
  private localVersion = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly bus: ClusterBus,
  ) {
    // Subscribed before anyone else can be: the snapshot is gone by the time other listeners list the registry.
    this.onChange(() => (this.snapshot = undefined));
  }

  /** A tool the caller's role may run, enabled or not; any other name is TOOL_NOT_FOUND, so hidden tools don't leak. */
  async findRunnable(principal: Principal, name: string): Promise<Tool> {
    const tool = (await this.current()).tools.get(name);
    if (!tool || !mayRun(principal, tool)) throw toolNotFound(name);
    return tool;
  }

  /**
   * The entry for `name` in the registry this instance holds, without asking whether it is still current: a guess to
   * start work on while findRunnable checks. The entry findRunnable returns is this very object when it was current.
   */
  peek(name: string): Tool | undefined {
    return this.snapshot?.tools.get(name);
  }

  /**
   * In name order; only tools the caller's role may run. The cursor is the last name of the previous page. Until the
   * registry changes, the same role and query get the very same page object, so callers may memoize what they derive.
   */
  async list(principal: Principal, query: ToolListQueryDto & PageRequest): Promise<Page<Tool>> {
    const snapshot = await this.current();
    const key = [principal.role, query.kind, query.enabled, query.q, query.cursor, query.limit].join('\u0000');
    let page = snapshot.pages.get(key);
    if (!page) {
      if (snapshot.pages.size >= MAX_MEMOIZED_PAGES) snapshot.pages.clear();
      page = paginate(snapshot, principal, query);
      snapshot.pages.set(key, page);
    }
    return page;
  }

  /**
   * Call after every committed registry change: every instance reloads on its next lookup, and every instance's
   * onChange listeners hear of it (once the version is bumped, so what they list is the new registry).
   */
  async changed(): Promise<void> {
    this.localVersion++;
    if (this.redis.configured) {
      try {
        await this.redis.run((client) => client.set(this.versionKey(), randomUUID()));
        this.redis.forgetCached(this.versionKey());
      } catch (error) {
        // Instances that can't reach Redis read the database anyway; those that can will see the next bump.
        this.logger.warn(`registry version not bumped: ${(error as Error).message}`);
      }
    }
    await this.bus.publish(REGISTRY_CHANGED, {});
  }

  /** Calls `listener` after each registry change made on any instance; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    return this.bus.subscribe(REGISTRY_CHANGED, listener);
  }

  private async current(): Promise<Snapshot> {
    const version = await this.version();
    if (version === undefined) return this.load('uncached');
    if (this.snapshot?.version === version) return this.snapshot;
    this.loading ??= this.load(version).finally(() => (this.loading = undefined));
    const loaded = await this.loading;
    this.snapshot = loaded;
    return loaded;
  }

  private async version(): Promise<string | undefined> {
    if (!this.redis.configured) return `local:${this.localVersion}`;
    try {
      return `redis:${(await this.redis.cachedGet(this.versionKey())) ?? '0'}:${this.localVersion}`;
    } catch {
      return undefined;
    }
  }

  private async load(version: string): Promise<Snapshot> {
    const tools = await this.dataSource.getRepository(Tool).find({ order: { name: 'ASC' } });
    return { version, tools: new Map(tools.map((tool) => [tool.name, tool])), pages: new Map() };
  }

  private versionKey(): string {
    return this.redis.key('tools:registry-version');
  }
}

function paginate(snapshot: Snapshot, principal: Principal, query: ToolListQueryDto & PageRequest): Page<Tool> {
  const after = query.cursor === undefined ? undefined : decodeName(query.cursor);
  const pattern = query.q?.toLowerCase();
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const items: Tool[] = [];
  for (const tool of snapshot.tools.values()) {
    if (after !== undefined && tool.name <= after) continue;
    if (!mayRun(principal, tool)) continue;
    if (query.kind && tool.kind !== query.kind) continue;
    if (query.enabled !== undefined && tool.enabled !== query.enabled) continue;
    if (pattern && !tool.name.toLowerCase().includes(pattern) && !tool.description.toLowerCase().includes(pattern)) continue;
    items.push(tool);
    if (items.length > limit) break;
  }
  const hasMore = items.length > limit;
  const page = items.slice(0, limit);
  return { items: page, nextCursor: hasMore ? encodeName(page.at(-1)!.name) : null };
}

function mayRun(principal: Principal, tool: Tool): boolean {
  return tool.allowedRoles.includes(principal.role);
}

function encodeName(name: string): string {
  return Buffer.from(name).toString('base64url');
}

function decodeName(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!TOOL_NAME_PATTERN.test(name)) throw invalidCursor();
  return name;
}
