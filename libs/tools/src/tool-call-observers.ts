import { Injectable, Logger } from '@nestjs/common';
import type { InvocationSource, InvocationStatus } from '@app/history';
import type { ToolKind } from './entities/tool.entity.js';

/** One finished call, or one refused before it ran (unknown tool, disabled, invalid arguments). */
export interface ToolCallEvent {
  toolName: string;
  /** Unknown when the tool itself was not found. */
  kind?: ToolKind;
  source: InvocationSource;
  outcome: InvocationStatus | 'refused';
  /** The problem or error code, when there is one. */
  errorCode?: string;
  /** Whether the tool's results are cached at all (read-only or idempotent, with a TTL). */
  cacheable: boolean;
  /** Answered from the result cache. */
  cached: boolean;
  durationMs: number;
}

/** Sees every tool call: metrics and alerting register here, so tools never imports them. */
export interface ToolCallObserver {
  onToolCall(event: ToolCallEvent): void;
}

@Injectable()
export class ToolCallObservers {
  private readonly logger = new Logger(ToolCallObservers.name);
  private readonly observers: ToolCallObserver[] = [];

  add(observer: ToolCallObserver): void {
    this.observers.push(observer);
  }

  /** Synchronous and isolated: an observer's failure never fails or delays a call. */
  notify(event: ToolCallEvent): void {
    for (const observer of this.observers) {
      try {
        observer.onToolCall(event);
      } catch (error) {
        this.logger.warn(`a tool call observer failed: ${(error as Error).message}`);
      }
    }
  }
}
