import stringify from 'safe-stable-stringify';
import { EntityManager, In } from 'typeorm';
import { Tool } from '../entities/tool.entity.js';
import type { ImportedTool, SkippedRemoteTool } from './remote-tools.js';
import type { Suspension, UpstreamToolConfig } from './upstream-tool-config.js';

export interface ToolChanges {
  added: string[];
  updated: string[];
  disabled: string[];
  enabled: string[];
}

export function hasChanges(changes: ToolChanges): boolean {
  return Object.values(changes).some((names: string[]) => names.length > 0);
}

/** jsonb hands keys back in its own order: compare values, not spellings. */
const same = (a: unknown, b: unknown) => stringify(a) === stringify(b);

/**
 * The registry rows of one upstream's tools, written through the caller's transaction. Each change bumps the row's
 * version; tools an admin disabled stay disabled, tools sync suspended come back when the reason goes.
 */
export class UpstreamToolRows {
  constructor(
    private readonly manager: EntityManager,
    private readonly upstreamId: string,
  ) {}

  list(): Promise<Tool[]> {
    return this.manager
      .getRepository(Tool)
      .createQueryBuilder('tool')
      .where(`tool.kind = 'mcp'`)
      .andWhere(`tool.config ->> 'upstreamId' = :upstreamId`, { upstreamId: this.upstreamId })
      .orderBy('tool.name')
      .getMany();
  }

  /** Brings the rows in line with the upstream's list; names held by other tools are skipped into `skipped`. */
  async apply(imported: ImportedTool[], revision: string, skipped: SkippedRemoteTool[]): Promise<ToolChanges> {
    const changes: ToolChanges = { added: [], updated: [], disabled: [], enabled: [] };
    const rows = new Map((await this.list()).map((row) => [row.name, row]));
    const taken = await this.namesHeldElsewhere(imported.filter((tool) => !rows.has(tool.name)).map((tool) => tool.name));
    for (const tool of imported) {
      if (taken.has(tool.name)) {
        skipped.push({ name: tool.remoteName, reason: `${tool.name} is the name of another tool` });
        continue;
      }
      const config: UpstreamToolConfig = { upstreamId: this.upstreamId, remoteName: tool.remoteName, revision };
      const row = rows.get(tool.name);
      rows.delete(tool.name);
      if (!row) {
        await this.manager.save(this.manager.create(Tool, { ...definitionOf(tool), kind: 'mcp', config }));
        changes.added.push(tool.name);
        continue;
      }
      const redefined = !same(definitionOf(row), definitionOf(tool));
      const resumed = (row.config as Partial<UpstreamToolConfig>).suspended !== undefined;
      if (!redefined && !resumed && same(row.config, config)) continue;
      Object.assign(row, definitionOf(tool), { config, version: row.version + 1 }, resumed && { enabled: true });
      await this.manager.save(row);
      if (redefined) changes.updated.push(tool.name);
      if (resumed) changes.enabled.push(tool.name);
    }
    // What is left the upstream no longer lists.
    changes.disabled = await this.suspend([...rows.values()], 'removed');
    return changes;
  }

  /** Takes every enabled tool of the upstream out of service, for `reason`; returns their names. */
  async suspendAll(reason: Suspension): Promise<string[]> {
    return this.suspend(await this.list(), reason);
  }

  /** Brings back the tools suspended for `reason`; returns their names. */
  async resume(reason: Suspension): Promise<string[]> {
    const names: string[] = [];
    for (const row of await this.list()) {
      const { suspended, ...config } = row.config as Partial<UpstreamToolConfig>;
      if (suspended !== reason) continue;
      Object.assign(row, { enabled: true, config, version: row.version + 1 });
      await this.manager.save(row);
      names.push(row.name);
    }
    return names;
  }

  /** Records the upstream's new connection revision on its tools, so every instance's pool reconnects. */
  async revise(revision: string): Promise<void> {
    for (const row of await this.list()) {
      Object.assign(row, { config: { ...row.config, revision }, version: row.version + 1 });
      await this.manager.save(row);
    }
  }

  async deleteAll(): Promise<string[]> {
    const rows = await this.list();
    if (rows.length > 0) await this.manager.delete(Tool, { id: In(rows.map((row) => row.id)) });
    return rows.map((row) => row.name);
  }

  private async suspend(rows: Tool[], reason: Suspension): Promise<string[]> {
    const names: string[] = [];
    for (const row of rows) {
      if (!row.enabled) continue;
      Object.assign(row, { enabled: false, config: { ...row.config, suspended: reason }, version: row.version + 1 });
      await this.manager.save(row);
      names.push(row.name);
    }
    return names;
  }

  private async namesHeldElsewhere(names: string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.manager.getRepository(Tool).find({ select: { name: true }, where: { name: In(names) } });
    return new Set(rows.map((row) => row.name));
  }
}

function definitionOf(tool: Pick<ImportedTool, 'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations'>) {
  return { name: tool.name, title: tool.title, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations };
}
