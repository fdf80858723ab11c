import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ProtocolError, ProtocolErrorCode, type CallToolRequestParams, type CallToolResult, type ContentBlock, type ListToolsResult, type ServerContext, type Tool as McpTool } from '@modelcontextprotocol/server';
import { DomainException, mcpConfig, WeakMemo, type Page } from '@app/core';
import { Tool, ToolExecutor, ToolRegistry, type CallCancellation, type ToolCallResult, type ToolProgress } from '@app/tools';
import type { Principal } from '@app/users';
import { McpRequestChannel } from './mcp-request-channel.js';

/**
 * tools/list and tools/call over the registry and the one execution path: no tool logic here, only the mapping
 * between registry rows, executor outcomes and the protocol's shapes.
 */
@Injectable()
export class McpTools {
  /** The registry hands back the same page object until it changes, so its protocol form is built once. */
  private readonly listed = new WeakMemo<Page<Tool>, ListToolsResult>();

  constructor(
    @Inject(mcpConfig.KEY) private readonly config: ConfigType<typeof mcpConfig>,
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
  ) {}

  async list(principal: Principal, cursor: string | undefined): Promise<ListToolsResult> {
    const page = await protocolErrors(() => this.registry.list(principal, { cursor, limit: this.config.pageSize, enabled: true }));
    return this.listed.get(page, () => ({ tools: page.items.map(toMcpTool), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }));
  }

  /** A tools/call as the SDK dispatches it: progress notifications when asked for, the request channel for tools that talk back. */
  call(principal: Principal, params: CallToolRequestParams, context: ServerContext): Promise<CallToolResult> {
    const progressToken = context.mcpReq._meta?.progressToken;
    const onProgress =
      progressToken === undefined
        ? undefined
        : (progress: ToolProgress) => void context.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, ...progress } }).catch(() => undefined);
    return McpRequestChannel.run(context, () => this.run(principal, params, { cancellation: { signal: context.mcpReq.signal }, onProgress }));
  }

  /** Runs a call through the one execution path and maps the outcome to the protocol's result (or its error). */
  async run(principal: Principal, params: CallToolRequestParams, options: { cancellation: CallCancellation; onProgress?: (progress: ToolProgress) => void }): Promise<CallToolResult> {
    try {
      const call = await this.executor.execute(principal, params.name, params.arguments ?? {}, { source: 'mcp', ...options });
      return toCallToolResult(call.tool, call);
    } catch (error) {
      if (!(error instanceof DomainException)) throw error;
      // An unknown tool is a protocol error; every refusal of a known tool is a result the model can read and act on.
      if (error.code === 'TOOL_NOT_FOUND') throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
      return errorResult(describeProblem(error));
    }
  }
}

function toMcpTool(tool: Tool): McpTool {
  return {
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    description: tool.description,
    inputSchema: tool.inputSchema as McpTool['inputSchema'],
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema as McpTool['outputSchema'] } : {}),
    annotations: tool.annotations,
  };
}

/** Structured output (plus its JSON as text, for clients that read only content); MCP content as given; else JSON text. */
function toCallToolResult(tool: Tool, call: ToolCallResult): CallToolResult {
  if (call.isError) {
    const { error, code } = (call.result ?? {}) as { error?: string; code?: string };
    return errorResult(error ?? `${tool.name} failed${code ? ` (${code})` : ''}`);
  }
  if (tool.outputSchema) {
    return { content: [{ type: 'text', text: JSON.stringify(call.result) }], structuredContent: call.result as Record<string, unknown> };
  }
  if (isContentResult(call.result)) return { content: call.result.content };
  return { content: [{ type: 'text', text: typeof call.result === 'string' ? call.result : JSON.stringify(call.result) }] };
}

function isContentResult(result: unknown): result is { content: ContentBlock[] } {
  const content = (result as { content?: unknown } | null)?.content;
  return Array.isArray(content) && content.every((block) => typeof (block as { type?: unknown })?.type === 'string');
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The problem's detail, then each failing JSON pointer on a line of its own. */
function describeProblem(problem: DomainException): string {
  const lines = [`${problem.code}: ${problem.message}`, ...(problem.errors ?? []).map((error) => `${error.pointer}: ${error.message}`)];
  return lines.join('\n');
}

/** Problems of a list request (a cursor that isn't one) are the caller's invalid params. */
async function protocolErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DomainException && error.status < 500) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
    throw error;
  }
}
