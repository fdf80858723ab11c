import { Injectable } from '@nestjs/common';
import type { ToolDefinition } from '@langchain/core/language_models/base';
import { DomainException } from '@app/core';
import { ToolExecutor, ToolRegistry, type Tool } from '@app/tools';
import type { Principal } from '@app/users';
import { toolNotOffered } from '../agents.errors.js';
import { allowListMatcher } from './tool-allow-list.js';
import { ToolNames } from './tool-names.js';
import type { RequestedToolCall, RunTools, ToolOutcome } from './run-tools.js';

/** Where a run's tool calls are filed in /tool-invocations. */
export interface ToolCallScope {
  runId: string;
  /** None for a child run, which keeps no conversation. */
  conversationId?: string;
}

const REGISTRY_PAGE = 100;

/** The registry tools a run may call: enabled, runnable by the caller's role, and on the agent's allow-list. */
@Injectable()
export class RegistryToolsets {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
  ) {}

  async forRun(principal: Principal, allowList: readonly string[], scope: ToolCallScope): Promise<RunTools> {
    const allowed = allowListMatcher(allowList);
    const tools: Tool[] = [];
    if (allowList.length > 0) {
      for (let cursor: string | undefined, page; !page || cursor; cursor = page.nextCursor ?? undefined) {
        page = await this.registry.list(principal, { enabled: true, limit: REGISTRY_PAGE, cursor });
        tools.push(...page.items.filter((tool) => allowed(tool.name)));
      }
    }
    return new RegistryToolset(this.executor, principal, tools, scope);
  }
}

/**
 * Tool definitions passed to the provider as OpenAI-style function tools with the registry's JSON Schema as it is
 * stored (LangChain hands them on to OpenAI, Anthropic and Ollama unchanged); each call goes through the ToolExecutor
 * with source `agent`, so it is validated, cached, timed out and recorded like any other call.
 */
class RegistryToolset implements RunTools {
  readonly definitions: ToolDefinition[];
  private readonly names: ToolNames;

  constructor(
    private readonly executor: ToolExecutor,
    private readonly principal: Principal,
    tools: Tool[],
    private readonly scope: ToolCallScope,
  ) {
    this.names = new ToolNames(tools.map((tool) => tool.name));
    this.definitions = tools.map((tool) => ({
      type: 'function',
      function: { name: this.names.modelName(tool.name), description: tool.description || tool.title || tool.name, parameters: tool.inputSchema },
    }));
  }

  modelName(registryName: string): string {
    return this.names.modelName(registryName);
  }

  registryName(modelName: string): string | undefined {
    return this.names.registryName(modelName);
  }

  async call(call: RequestedToolCall, signal: AbortSignal): Promise<ToolOutcome> {
    const name = this.names.registryName(call.name);
    if (!name) return refused(call.name, toolNotOffered(call.name));
    try {
      const done = await this.executor.execute(this.principal, name, call.args, { source: 'agent', ...this.scope, cancellation: { signal } });
      const errorCode = done.isError ? ((done.result as { code?: string } | null)?.code ?? 'TOOL_FAILED') : null;
      return { name, result: done.result, isError: done.isError, errorCode, invocationId: done.invocationId, cached: done.cached };
    } catch (error) {
      // A refusal (arguments that break the schema, a tool disabled meanwhile, a timeout) is for the model to read.
      if (signal.aborted || !(error instanceof DomainException)) throw error;
      return refused(name, error);
    }
  }
}

function refused(name: string, problem: DomainException): ToolOutcome {
  const result = { error: problem.message, code: problem.code, ...(problem.errors && { errors: problem.errors }) };
  return { name, result, isError: true, errorCode: problem.code, invocationId: null, cached: false };
}
