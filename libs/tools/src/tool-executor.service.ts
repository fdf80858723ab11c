import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainException, raceAbort, toolsConfig } from '@app/core';
import { HistoryRecorder, type InvocationSource, type InvocationStatus } from '@app/history';
import type { Principal } from '@app/users';
import type { Tool } from './entities/tool.entity.js';
import { SchemaValidator } from './schema-validator.js';
import { ToolCallObservers } from './tool-call-observers.js';
import { ToolCallContext, ToolExecutionError, ToolHandlers, type ToolKindHandler } from './tool-handler.js';
import { ToolRegistry } from './tool-registry.service.js';
import { ToolResultCache } from './tool-result-cache.js';
import { toolDisabled, toolInputInvalid, toolTimedOut, toolUnavailable } from './tools.errors.js';

export interface ToolCallResult {
  /** The tool's output, or `{ error, code }` when isError. */
  result: unknown;
  isError: boolean;
  durationMs: number;
  cached: boolean;
  invocationId: string;
  /** The registry entry that ran, for callers that shape the answer by it (MCP's structuredContent). */
  tool: Tool;
}

/** What a caller cancels a call with: its AbortController, or `{ signal }` for a signal it already has. */
export interface CallCancellation {
  readonly signal: AbortSignal;
}

export type ExecuteOptions = Omit<ToolCallContext, 'principal' | 'signal'> & {
  /**
   * Read only when the tool runs: an AbortController makes its signal on first read, so a call answered from the
   * cache makes none (on Node 20 a signal is an EventTarget of ~0.8 KB, ~2 % of a cached MCP call's CPU).
   */
  cancellation?: CallCancellation;
};

interface Outcome {
  status: InvocationStatus;
  result: unknown;
  isError: boolean;
  errorCode?: string;
  errorMessage?: string;
  /** The handler's own problem (an upstream that can't be reached): recorded, then answered as it is. */
  problem?: DomainException;
}

const CANCELLED = new DomainException({ status: 499, code: 'CANCELLED', title: 'Cancelled', detail: 'The caller cancelled the call.' });

/**
 * The one path of a tool call, for REST, MCP and agents alike: lookup, authorize, validate, answer from the result
 * cache or run under a timeout with an AbortSignal, check the output, record the invocation, tell the observers.
 * Refusals before the run (unknown, disabled, invalid arguments) are problems and not recorded; every call that ran
 * or was answered from the cache is recorded, whatever its outcome.
 */
@Injectable()
export class ToolExecutor {
  constructor(
    @Inject(toolsConfig.KEY) private readonly config: ConfigType<typeof toolsConfig>,
    private readonly registry: ToolRegistry,
    private readonly validator: SchemaValidator,
    private readonly handlers: ToolHandlers,
    private readonly recorder: HistoryRecorder,
    private readonly cache: ToolResultCache,
    private readonly observers: ToolCallObservers,
  ) {}

  async execute(principal: Principal, name: string, args: Record<string, unknown>, options: ExecuteOptions): Promise<ToolCallResult> {
    const started = performance.now();
    // The cache read goes out beside the registry's version check (two round trips to Redis at once, not one after
    // the other), keyed by the entry this instance holds; it counts only if the check finds that entry current. The
    // answer is used only once the call is admitted.
    const guess = this.registry.peek(name);
    const early = guess && ToolResultCache.cacheable(guess) ? this.cache.get(guess, principal, args) : undefined;
    const { tool, handler } = await this.admit(principal, name, args, options.source);
    const cacheable = ToolResultCache.cacheable(tool);
    const hit = cacheable ? await (tool === guess && early ? early : this.cache.get(tool, principal, args)) : undefined;
    let outcome: Outcome;
    if (hit) {
      outcome = { status: 'ok', result: hit.result, isError: false };
    } else {
      const deadline = new CallDeadline(tool.timeoutMs, options.cancellation);
      try {
        outcome = await this.run(tool, () => handler.execute(tool, args, { ...options, principal, signal: deadline.signal }), deadline);
      } finally {
        deadline.dispose();
      }
      // Not awaited: the write is a round trip to Redis that would only delay the caller's answer. A later call's read
      // goes out behind it on the same connection; a write lost with Redis is a miss later, as any cache error is.
      if (cacheable && outcome.status === 'ok') void this.cache.set(tool, principal, args, outcome.result);
    }
    const durationMs = Math.round(performance.now() - started);
    const cached = hit !== undefined;
    const invocationId = this.recorder.record({
      userId: principal.userId,
      toolName: tool.name,
      source: options.source,
      conversationId: options.conversationId,
      runId: options.runId,
      arguments: args,
      result: outcome.result,
      status: outcome.status,
      errorCode: outcome.errorCode,
      errorMessage: outcome.errorMessage,
      durationMs,
      cached,
    });
    this.observers.notify({ toolName: tool.name, kind: tool.kind, source: options.source, outcome: outcome.status, errorCode: outcome.errorCode, cacheable, cached, durationMs });
    if (outcome.problem) throw outcome.problem;
    if (outcome.status === 'timeout') throw toolTimedOut(name, tool.timeoutMs);
    if (outcome.status === 'cancelled') throw CANCELLED;
    return { result: outcome.result, isError: outcome.isError, durationMs, cached, invocationId, tool };
  }

  /** The checks before a call runs; a refusal is a problem for the caller and an event for observers, not a record. */
  private async admit(principal: Principal, name: string, args: Record<string, unknown>, source: InvocationSource): Promise<{ tool: Tool; handler: ToolKindHandler }> {
    let tool: Tool | undefined;
    try {
      tool = await this.registry.findRunnable(principal, name);
      if (!tool.enabled) throw toolDisabled(name);
      const errors = this.validator.validateInput(tool, args);
      if (errors.length > 0) throw toolInputInvalid(name, errors);
      const handler = this.handlers.get(tool.kind);
      if (!handler) throw toolUnavailable(name, `no handler for tool kind ${tool.kind} is installed`);
      return { tool, handler };
    } catch (error) {
      const errorCode = error instanceof DomainException ? error.code : undefined;
      this.observers.notify({ toolName: name, kind: tool?.kind, source, outcome: 'refused', errorCode, cacheable: false, cached: false, durationMs: 0 });
      throw error;
    }
  }

  private async run(tool: Tool, call: () => Promise<unknown>, deadline: CallDeadline): Promise<Outcome> {
    let result: unknown;
    try {
      result = await raceAbort(call(), deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted) {
        const status = deadline.timedOut ? 'timeout' : 'cancelled';
        return { status, result: null, isError: true, errorCode: status.toUpperCase(), errorMessage: `${tool.name} ${status === 'timeout' ? 'timed out' : 'was cancelled'}` };
      }
      if (error instanceof ToolExecutionError) return failed(error.code, error.message);
      if (error instanceof DomainException) return { ...failed(error.code, error.message), problem: error };
      return failed('TOOL_FAILED', `${tool.name} failed: ${(error as Error).message}`);
    }
    const outputErrors = this.validator.validateOutput(tool, result);
    if (outputErrors.length > 0) return failed('OUTPUT_INVALID', `${tool.name} returned output that breaks its schema: ${outputErrors.map((e) => e.message).join('; ')}`);
    const bytes = Buffer.byteLength(JSON.stringify(result) ?? '');
    if (bytes > this.config.maxResultBytes) return failed('RESULT_TOO_LARGE', `${tool.name} returned ${bytes} bytes, over the ${this.config.maxResultBytes}-byte limit`);
    return { status: 'ok', result, isError: false };
  }
}

/**
 * One AbortSignal for a call: aborted when the tool's timeout passes or when the caller's own signal aborts. One
 * controller and one timer: AbortSignal.timeout plus AbortSignal.any cost three signals a call, a visible share of a
 * light call's CPU on Node 20.
 */
class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly caller?: AbortSignal;
  private readonly onCallerAbort?: () => void;
  timedOut = false;

  constructor(timeoutMs: number, cancellation?: CallCancellation) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    }, timeoutMs);
    // Read here, not before: on a cache hit no deadline is made, and an AbortController makes its signal on first read.
    const caller = cancellation?.signal;
    this.caller = caller;
    if (caller?.aborted) this.controller.abort(caller.reason);
    else if (caller) {
      this.onCallerAbort = () => this.controller.abort(caller.reason);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.caller!.removeEventListener('abort', this.onCallerAbort);
  }
}

function failed(code: string, message: string): Outcome {
  return { status: 'error', result: { error: message, code }, isError: true, errorCode: code, errorMessage: message };
}
