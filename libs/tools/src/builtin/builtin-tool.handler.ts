import { Injectable, OnApplicationBootstrap, OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Tool } from '../entities/tool.entity.js';
import { ToolCallContext, ToolHandlers, ToolKindHandler } from '../tool-handler.js';
import { ToolRegistry } from '../tool-registry.service.js';
import type { BuiltinTool } from './builtin-tool.js';
import { calculator } from './calculator.js';
import { datetime } from './datetime.js';
import { HistorySearchTool } from './history-search.tool.js';
import { HttpRequestTool } from './http-request.js';
import { jsonQuery } from './json-query.js';

export const BUILTIN_TOOLS: BuiltinTool[] = [calculator, datetime, jsonQuery];

/** Built-ins that use services: providers of ToolsModule, resolved through DI when the module starts. */
export const INJECTABLE_BUILTIN_TOOLS: Type<BuiltinTool>[] = [HistorySearchTool, HttpRequestTool];

/**
 * Runs the tools implemented here, and keeps their registry rows current: upserted at boot (by every instance, which
 * is harmless), their version bumped only when a definition changed; admins' settings (enabled, timeout, cache TTL,
 * roles) are kept.
 */
@Injectable()
export class BuiltinToolHandler implements ToolKindHandler, OnModuleInit, OnApplicationBootstrap {
  readonly kind = 'builtin' as const;
  private readonly tools = new Map(BUILTIN_TOOLS.map((tool) => [tool.name, tool]));

  constructor(
    handlers: ToolHandlers,
    private readonly dataSource: DataSource,
    private readonly registry: ToolRegistry,
    private readonly moduleRef: ModuleRef,
  ) {
    handlers.register(this);
  }

  onModuleInit(): void {
    for (const type of INJECTABLE_BUILTIN_TOOLS) {
      const tool = this.moduleRef.get(type);
      this.tools.set(tool.name, tool);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const tool of this.tools.values()) {
      await this.dataSource.query(
        `INSERT INTO tools (name, title, description, kind, input_schema, output_schema, annotations, config, cache_ttl_seconds)
         VALUES ($1, $2, $3, 'builtin', $4::jsonb, $5::jsonb, $6::jsonb, '{}', $7)
         ON CONFLICT (name) DO UPDATE SET
           title = EXCLUDED.title, description = EXCLUDED.description, input_schema = EXCLUDED.input_schema,
           output_schema = EXCLUDED.output_schema, annotations = EXCLUDED.annotations,
           version = tools.version + 1, updated_at = now()
         WHERE tools.kind = 'builtin' AND (tools.title, tools.description, tools.input_schema, tools.output_schema, tools.annotations)
           IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.description, EXCLUDED.input_schema, EXCLUDED.output_schema, EXCLUDED.annotations)`,
        [
          tool.name,
          tool.title,
          tool.description,
          JSON.stringify(tool.inputSchema),
          tool.outputSchema && JSON.stringify(tool.outputSchema),
          JSON.stringify(tool.annotations),
          tool.cacheTtlSeconds,
        ],
      );
    }
    await this.registry.changed();
  }

  /** A built-in defined by a lib above this one (the MCP conformance fixtures); add it before bootstrap upserts the rows. */
  add(tool: BuiltinTool): void {
    this.tools.set(tool.name, tool);
  }

  isBuiltin(name: string): boolean {
    return this.tools.has(name);
  }

  execute(tool: Tool, args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    const builtin = this.tools.get(tool.name);
    if (!builtin) throw new Error(`no built-in tool named ${tool.name}`);
    return builtin.run(args, context);
  }
}
