import type { Tool as RemoteTool } from '@modelcontextprotocol/client';
import { TOOL_NAME_PATTERN, type JsonSchema, type ToolAnnotations } from '../entities/tool.entity.js';

/** A remote tool as it goes into the registry. */
export interface ImportedTool {
  /** `<upstream>.<remote name>` */
  name: string;
  remoteName: string;
  title: string | null;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  annotations: ToolAnnotations;
}

export interface SkippedRemoteTool {
  name: string;
  reason: string;
}

const TITLE_MAX = 200;
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;
/** Older drafts most servers still declare; their schemas read the same under 2020-12 once the marker is gone. */
const OLDER_DRAFT = /^https?:\/\/json-schema\.org\/draft-0[4-7]\/schema#?$/;

/**
 * Splits an upstream's tool list into what the registry takes and what it can't, with the reason: a name that doesn't
 * fit a tool name once prefixed, a repeated name, a schema ajv can't compile.
 */
export function importRemoteTools(upstreamName: string, remote: RemoteTool[], compile: (schema: JsonSchema) => void): { imported: ImportedTool[]; skipped: SkippedRemoteTool[] } {
  const imported: ImportedTool[] = [];
  const skipped: SkippedRemoteTool[] = [];
  const seen = new Set<string>();
  for (const tool of remote) {
    const name = `${upstreamName}.${tool.name}`;
    const skip = (reason: string) => skipped.push({ name: String(tool.name).slice(0, 200), reason });
    if (!TOOL_NAME_PATTERN.test(name)) {
      skip(`${name} is not a valid tool name (1 to 64 letters, digits, "_", "." or "-")`);
      continue;
    }
    if (seen.has(name)) {
      skip('the upstream lists this name twice');
      continue;
    }
    seen.add(name);
    try {
      const inputSchema = adopt(tool.inputSchema as JsonSchema, 'inputSchema', compile);
      const outputSchema = tool.outputSchema ? adopt(tool.outputSchema as JsonSchema, 'outputSchema', compile) : null;
      imported.push({
        name,
        remoteName: tool.name,
        title: (tool.title ?? tool.annotations?.title ?? null)?.slice(0, TITLE_MAX) ?? null,
        description: tool.description ?? '',
        inputSchema,
        outputSchema,
        annotations: hintsOf(tool.annotations),
      });
    } catch (error) {
      skip((error as Error).message);
    }
  }
  return { imported, skipped };
}

/** One line for an upstream's lastError; null when nothing was skipped. */
export function skippedSummary(skipped: SkippedRemoteTool[]): string | null {
  if (skipped.length === 0) return null;
  const listed = skipped.slice(0, 10).map((tool) => `${tool.name} (${tool.reason})`).join('; ');
  return `skipped ${skipped.length} remote tool(s): ${listed}${skipped.length > 10 ? '; …' : ''}`;
}

function adopt(schema: JsonSchema, field: string, compile: (schema: JsonSchema) => void): JsonSchema {
  const { $schema, ...rest } = schema;
  const adopted = typeof $schema === 'string' && OLDER_DRAFT.test($schema) ? rest : schema;
  try {
    compile(adopted);
  } catch (error) {
    throw new Error(`its ${field} does not compile: ${(error as Error).message}`);
  }
  return adopted;
}

function hintsOf(annotations: RemoteTool['annotations']): ToolAnnotations {
  const hints: ToolAnnotations = {};
  for (const hint of HINTS) if (typeof annotations?.[hint] === 'boolean') hints[hint] = annotations[hint];
  return hints;
}
