import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { RUN_MODES, RUN_STATUSES, type AgentRun, type RunMode, type RunStatus } from '../entities/agent-run.entity.js';
import type { RunStep } from '../entities/run-step.js';

export const MULTITASK_STRATEGIES = ['reject', 'enqueue'] as const;
export type Multitask = (typeof MULTITASK_STRATEGIES)[number];

export class CreateRunDto {
  /** The user's message to the agent. */
  @IsString()
  @Length(1, 100_000)
  input: string;

  /** A conversation of yours to continue (its recent messages are the run's context); omitted, a new one is started. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;

  @ApiPropertyOptional({
    enum: RUN_MODES,
    default: 'wait',
    description:
      '`wait`: the answer is the finished run. `stream`: the answer is the run’s events as `text/event-stream` while it goes ' +
      '(a client that disconnects does not stop it). `background`: 202 at once, with the run and its `Location`.',
  })
  @IsOptional()
  @IsIn(RUN_MODES)
  mode?: RunMode;

  @ApiPropertyOptional({
    enum: MULTITASK_STRATEGIES,
    default: 'reject',
    description:
      'When the conversation already has a run queued or running: `reject` answers 409 CONVERSATION_BUSY; `enqueue` queues ' +
      'this run to start when the ones ahead of it have ended.',
  })
  @IsOptional()
  @IsIn(MULTITASK_STRATEGIES)
  multitask?: Multitask;
}

export class TokenCountsDto {
  @ApiProperty({ type: 'integer' })
  inputTokens: number;

  @ApiProperty({ type: 'integer' })
  outputTokens: number;

  @ApiProperty({ type: 'integer' })
  totalTokens: number;
}

export class StepToolCallDto {
  id: string;

  /** The tool's registry name. */
  name: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  args: Record<string, unknown>;
}

class StepTimingDto {
  /** 1, 2, 3… in the order steps finished. */
  @ApiProperty({ type: 'integer' })
  index: number;

  /** The model turn the step belongs to. */
  @ApiProperty({ type: 'integer' })
  turn: number;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  durationMs: number;
}

/** A call of the model. */
export class ModelStepDto extends StepTimingDto {
  @ApiProperty({ enum: ['model'] })
  type: 'model';

  content: string;

  @ApiProperty({ type: [StepToolCallDto] })
  toolCalls: StepToolCallDto[];

  /** As the provider counted them; null when it reported none. */
  @ApiProperty({ type: TokenCountsDto, nullable: true })
  usage: TokenCountsDto | null;

  @ApiProperty({ type: String, nullable: true, example: 'tool_calls' })
  finishReason: string | null;
}

/** A tool call the model asked for. */
export class ToolStepDto extends StepTimingDto {
  @ApiProperty({ enum: ['tool'] })
  type: 'tool';

  callId: string;

  name: string;

  /** As called, with secret-looking values replaced by `[redacted]`. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  arguments: Record<string, unknown>;

  /** The tool's output, or `{ error, code }` when isError (what the model was told); truncated past HISTORY_RESULT_MAX_BYTES. */
  @ApiPropertyOptional({ nullable: true })
  result: unknown;

  isError: boolean;

  @ApiProperty({ type: String, nullable: true })
  errorCode: string | null;

  /** The row in /tool-invocations; null when the call was refused before it ran. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  invocationId: string | null;

  cached: boolean;
}

@ApiExtraModels(ModelStepDto, ToolStepDto)
export class AgentRunDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** Null once the agent was deleted. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agentId: string | null;

  agentName: string;

  /** The agent's version this run ran. */
  @ApiProperty({ type: 'integer' })
  agentVersion: number;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  conversationId: string | null;

  /** The coordinator run that delegated this one (or the run whose agent tool call started it); null for a root run. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentRunId: string | null;

  /** The run at the top of this one's tree of delegations; null for a root run. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  rootRunId: string | null;

  /** The runs this one delegated to, in the order they started; each is readable at GET /runs/{id}. */
  @ApiProperty({ type: [String], format: 'uuid' })
  childRunIds: string[];

  @ApiProperty({ enum: RUN_STATUSES })
  status: RunStatus;

  @ApiProperty({ enum: RUN_MODES })
  mode: RunMode;

  input: string;

  /** The final answer; null unless succeeded. */
  @ApiProperty({ type: String, nullable: true })
  output: string | null;

  /** Model turns and tool calls, in the order they finished. */
  @ApiProperty({ type: 'array', items: { oneOf: [{ $ref: getSchemaPath(ModelStepDto) }, { $ref: getSchemaPath(ToolStepDto) }] } })
  steps: (ModelStepDto | ToolStepDto)[];

  /** Tokens of all its model calls. */
  usage: TokenCountsDto;

  /** Why it failed, timed out or was cancelled: AGENT_MAX_STEPS, AGENT_TIMEOUT, LLM_PROVIDER_UNAUTHORIZED… */
  @ApiProperty({ type: String, nullable: true, example: 'AGENT_MAX_STEPS' })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  errorMessage: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toAgentRunDto(run: AgentRun, childRunIds: string[]): AgentRunDto {
  return {
    id: run.id,
    agentId: run.agentId,
    agentName: run.agentName,
    agentVersion: run.agentVersion,
    userId: run.userId,
    conversationId: run.conversationId,
    parentRunId: run.parentRunId,
    rootRunId: run.rootRunId,
    childRunIds,
    status: run.status,
    mode: run.mode,
    input: run.input,
    output: run.output,
    steps: run.steps satisfies RunStep[],
    usage: { inputTokens: run.inputTokens, outputTokens: run.outputTokens, totalTokens: run.totalTokens },
    errorCode: run.errorCode,
    errorMessage: run.errorMessage,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    createdAt: run.createdAt.toISOString(),
  };
}
