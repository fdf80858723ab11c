import type { JsonSchema, ToolAnnotations } from '../entities/tool.entity.js';
import type { ToolCallContext } from '../tool-handler.js';

/** A tool implemented in this codebase; upserted into the registry at boot. */
export interface BuiltinTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  annotations: Required<ToolAnnotations>;
  cacheTtlSeconds: number;
  run(args: Record<string, unknown>, context: ToolCallContext): Promise<unknown>;
}
