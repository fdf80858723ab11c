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
}
