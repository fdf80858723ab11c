import type { JsonSchema, ToolAnnotations } from '../entities/tool.entity.js';
import type { ToolCallContext } from '../tool-handler.js';

/**
 * A tool implemented in this codebase; upserted into the registry at boot. A plain object in BUILTIN_TOOLS, or, when it
 * needs services, an injectable class in INJECTABLE_BUILTIN_TOOLS.
 */
export interface BuiltinTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  /** Null for tools that answer with MCP content blocks (`{ content: [...] }`) rather than structured output. */
  outputSchema: JsonSchema | null;
  annotations: Required<ToolAnnotations>;
  cacheTtlSeconds: number;
  run(args: Record<string, unknown>, context: ToolCallContext): Promise<unknown>;
}
