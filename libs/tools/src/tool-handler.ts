import { Injectable } from '@nestjs/common';
import type { InvocationSource } from '@app/history';
import type { Principal } from '@app/users';
import type { Tool, ToolKind } from './entities/tool.entity.js';

export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** Everything a call carries besides its arguments. */
export interface ToolCallContext {
  principal: Principal;
  source: InvocationSource;
  /** Aborted on timeout, client disconnect or MCP cancellation: handlers pass it to whatever they wait on. */
  signal: AbortSignal;
  conversationId?: string;
  runId?: string;
  onProgress?: (progress: ToolProgress) => void;
}

/** Runs the tools of one kind. Libraries above tools (agents) register theirs at module init, so no import runs upward. */
export interface ToolKindHandler {
  readonly kind: ToolKind;
  execute(tool: Tool, args: Record<string, unknown>, context: ToolCallContext): Promise<unknown>;
  /**
   * Checks an admin's config for a new or changed tool of this kind and returns what to store (credentials sealed with
   * SecretBox); throws ValidationFailedException naming each bad field. `previous` is the stored config on a change.
   * Kinds without it can't be created or reconfigured through POST/PATCH /tools (builtins, upstream tools).
   */
  prepareConfig?(config: Record<string, unknown>, inputSchema: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown>;
  /** The stored config as admins may see it: every credential replaced by a placeholder. Without it, none is shown. */
  redactConfig?(config: Record<string, unknown>): Record<string, unknown>;
}

/** A failure of the tool itself (bad expression, upstream said no): the call returns it as an error result. */
export class ToolExecutionError extends Error {
  constructor(
    message: string,
    readonly code = 'TOOL_FAILED',
  ) {
    super(message);
    this.name = 'ToolExecutionError';
  }
}

@Injectable()
export class ToolHandlers {
  private readonly handlers = new Map<ToolKind, ToolKindHandler>();

  register(handler: ToolKindHandler): void {
    this.handlers.set(handler.kind, handler);
  }

  get(kind: ToolKind): ToolKindHandler | undefined {
    return this.handlers.get(kind);
  }

  /** A tool's config as admins may see it; nothing when its kind can't say what is safe to show. */
  redactedConfig(tool: Pick<Tool, 'kind' | 'config'>): Record<string, unknown> | undefined {
    return this.handlers.get(tool.kind)?.redactConfig?.(tool.config);
  }
}
