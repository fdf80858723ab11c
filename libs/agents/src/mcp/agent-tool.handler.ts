import { Injectable } from '@nestjs/common';
import { ToolExecutionError, ToolHandlers, type Tool, type ToolCallContext, type ToolKindHandler } from '@app/tools';
import { hasScope } from '@app/users';
import { scopeRequired } from '../agents.errors.js';
import { RunsService } from '../runs/runs.service.js';
import type { AgentToolConfig } from './agent-tool-rows.js';

/**
 * Runs tools of kind `agent`: the agent runs in wait mode through RunsService, as the caller (who needs agents:run,
 * as on POST /agents/{id}/runs), and the tool answers its output. Called by a run (a coordinator's delegation, an
 * agent using another agent as a tool), the new run is that run's child, in its tree's depth and budget.
 */
@Injectable()
export class AgentToolHandler implements ToolKindHandler {
  readonly kind = 'agent' as const;

  constructor(
    handlers: ToolHandlers,
    private readonly runs: RunsService,
  ) {
    handlers.register(this);
  }

  /** A run that did not succeed is the tool's failure, under the run's own error code (AGENT_MAX_STEPS, AGENT_TIMEOUT…). */
  async execute(tool: Tool, args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    if (!hasScope(context.principal, 'agents:run')) throw scopeRequired('agents:run');
    const { agentId } = tool.config as unknown as AgentToolConfig;
    const input = { input: args.input as string, conversationId: args.conversationId as string | undefined, mode: 'wait' as const };
    const run = await this.runs.run(context.principal, agentId, input, { parentRunId: context.runId, signal: context.signal });
    if (run.status === 'succeeded') return run.output ?? '';
    const code = run.errorCode ?? 'AGENT_RUN_FAILED';
    throw new ToolExecutionError(`Run ${run.id} of ${run.agentName} ended ${run.status} (${code}): ${run.errorMessage ?? ''}`, code);
  }

  /** Nothing in it is secret: it names the agent. */
  redactConfig(config: Record<string, unknown>): Record<string, unknown> {
    return config;
  }
}
