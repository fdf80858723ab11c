import type { ToolDefinition } from '@langchain/core/language_models/base';

/** A tool call as the model asked for it, under the name the model was given. */
export interface RequestedToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** How a tool call ended; a failure of the tool is an outcome for the model to read, not an exception. */
export interface ToolOutcome {
  /** The registry name of the tool that ran, or the requested name when none matched. */
  name: string;
  result: unknown;
  isError: boolean;
  errorCode: string | null;
  invocationId: string | null;
  cached: boolean;
}

/** The tools one run may call: their definitions for bindTools, and how to call them. */
export interface RunTools {
  readonly definitions: ToolDefinition[];
  /** The name to show the model for a registry name (providers refuse some characters registry names allow). */
  modelName(registryName: string): string;
  /** The registry name for what the model asked, when the run offers such a tool. */
  registryName(modelName: string): string | undefined;
  /** Never rejects for a tool failure; rejects only when `signal` aborts (the run is timing out or cancelled). */
  call(call: RequestedToolCall, signal: AbortSignal): Promise<ToolOutcome>;
}

/** The text a tool message carries: the tool's JSON (strings as they are). */
export function toolMessageContent(result: unknown): string {
  return typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
}
