import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Tool } from '../entities/tool.entity.js';
import { ToolCallContext, ToolHandlers, ToolKindHandler } from '../tool-handler.js';
import { ToolRegistry } from '../tool-registry.service.js';
import type { BuiltinTool } from './builtin-tool.js';
import { calculator } from './calculator.js';

export const BUILTIN_TOOLS: BuiltinTool[] = [calculator];

/**
 * Runs the tools implemented here, and keeps their registry rows current: upserted at boot (by every instance, which
 * is harmless), their version bumped only when a definition changed; admins' settings (enabled, timeout, cache TTL,
 * roles) are kept.
 */
@Injectable()
export class BuiltinToolHandler implements ToolKindHandler, OnApplicationBootstrap {
  readonly kind = 'builtin' as const;
  private readonly tools = new Map(BUILTIN_TOOLS.map((tool) => [tool.name, tool]));

  constructor(
    handlers: ToolHandlers,
    private readonly dataSource: DataSource,
    private readonly registry: ToolRegistry,
  ) {
    handlers.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const tool of BUILTIN_TOOLS) {
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
          JSON.stringify(tool.outputSchema),
          JSON.stringify(tool.annotations),
          tool.cacheTtlSeconds,
        ],
      );
    }
    await this.registry.changed();
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
