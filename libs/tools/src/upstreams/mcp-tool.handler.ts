import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Tool } from '../entities/tool.entity.js';
import { ToolCallContext, ToolExecutionError, ToolHandlers, type ToolKindHandler } from '../tool-handler.js';
import { toolUnavailable, upstreamUnavailable } from '../tools.errors.js';
import { UpstreamClientPool, UpstreamGoneError } from './upstream-client-pool.js';
import { describeFailure, upstreamAnswered } from './upstream-failure.js';
import { UpstreamStatusWriter } from './upstream-status.js';
import { upstreamToolConfig } from './upstream-tool-config.js';

/** Past the tool's own timeout: the executor's timeout answers first (504), the SDK's only guards against a leak. */
const SDK_TIMEOUT_GRACE_MS = 1000;
const ERROR_TEXT_MAX = 2000;

/**
 * Runs tools of kind `mcp`: `tools/call` on the upstream through its pooled client, with the call's AbortSignal
 * (cancelling it upstream too) and progress passed through. An upstream out of reach is a 502 and is recorded on its row.
 */
@Injectable()
export class McpToolHandler implements ToolKindHandler {
  readonly kind = 'mcp' as const;

  constructor(
    handlers: ToolHandlers,
    private readonly pool: UpstreamClientPool,
    private readonly status: UpstreamStatusWriter,
  ) {
    handlers.register(this);
  }

  async execute(tool: Tool, args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    const { upstreamId, remoteName, revision } = upstreamToolConfig(tool);
    let upstreamName = upstreamId;
    let result: CallToolResult;
    try {
      const upstream = await this.pool.forTool(upstreamId, revision, context.signal);
      upstreamName = upstream.upstreamName;
      const onProgress = context.onProgress;
      result = await upstream.client.callTool(
        { name: remoteName, arguments: args },
        {
          signal: context.signal,
          timeout: tool.timeoutMs + SDK_TIMEOUT_GRACE_MS,
          onprogress: onProgress && ((progress) => onProgress({ progress: progress.progress, total: progress.total, message: progress.message })),
        },
      );
    } catch (error) {
      // An abort is the executor's to report (timeout or cancellation).
      if (context.signal.aborted) throw error;
      if (error instanceof UpstreamGoneError) throw toolUnavailable(tool.name, 'its upstream MCP server was deleted');
      if (upstreamAnswered(error)) throw new ToolExecutionError(`${tool.name}: the upstream refused the call: ${describeFailure(error)}`, 'UPSTREAM_ERROR');
      const reason = describeFailure(error);
      this.pool.release(upstreamId);
      void this.status.unreachable(upstreamId, reason);
      throw upstreamUnavailable(upstreamName, reason, tool.name);
    }
    void this.status.reachable(upstreamId);
    return toToolResult(tool, result);
  }

  /** Nothing in an upstream tool's config is secret: it names the upstream and the remote tool. */
  redactConfig(config: Record<string, unknown>): Record<string, unknown> {
    return config;
  }
}

/** structuredContent when the upstream gave it (what an outputSchema describes), else the content blocks. */
function toToolResult(tool: Tool, result: CallToolResult): unknown {
  if (result.isError) {
    const text = (result.content ?? [])
      .flatMap((block) => (block.type === 'text' ? [block.text] : []))
      .join('\n')
      .trim()
      .slice(0, ERROR_TEXT_MAX);
    throw new ToolExecutionError(text ? `${tool.name} failed: ${text}` : `${tool.name} reported an error`, 'UPSTREAM_TOOL_ERROR');
  }
  return result.structuredContent !== undefined ? result.structuredContent : { content: result.content ?? [] };
}
