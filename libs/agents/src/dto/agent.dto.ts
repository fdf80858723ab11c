import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQueryDto, Trim } from '@app/core';
import { AGENT_KINDS, AGENT_NAME_PATTERN, type Agent, type AgentKind } from '../entities/agent.entity.js';
import { LLM_PROVIDERS, MODEL_REF_PATTERN } from '../models/model-ref.js';
import { TOOL_PATTERN } from '../runs/tool-allow-list.js';

export class ModelParametersDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  /** The most tokens one model call may produce. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  topP?: number;

  @ApiPropertyOptional({ type: [String], maxItems: 16 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  stopSequences?: string[];
}

export class AgentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'researcher' })
  name: string;

  description: string;

  systemPrompt: string;

  /** `provider:model`. */
  @ApiProperty({ example: 'openai:gpt-4o-mini' })
  model: string;

  modelParameters: ModelParametersDto;

  /** Tool names or globs the agent may call. */
  @ApiProperty({ type: [String], example: ['calculator', 'github.*'] })
  tools: string[];

  @ApiProperty({ type: 'integer' })
  maxSteps: number;

  @ApiProperty({ type: 'integer' })
  timeoutMs: number;

  @ApiProperty({ enum: AGENT_KINDS })
  kind: AgentKind;

  /** Coordinators: their member agents' ids, in order. */
  @ApiProperty({ type: [String], format: 'uuid' })
  members: string[];

  /** Parallel coordinators: the agent that merges the members' outputs; null joins them under the members' names. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  aggregatorId: string | null;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function toAgentDto(agent: Agent): AgentDto {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    systemPrompt: agent.systemPrompt,
    model: agent.model,
    modelParameters: agent.modelParameters,
    tools: agent.tools,
    maxSteps: agent.maxSteps,
    timeoutMs: agent.timeoutMs,
    kind: agent.kind,
    members: agent.members,
    aggregatorId: agent.aggregatorId,
    version: agent.version,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}

export class CreateAgentDto {
  @ApiProperty({ pattern: AGENT_NAME_PATTERN.source, example: 'researcher' })
  @Matches(AGENT_NAME_PATTERN, { message: 'name must be 1 to 58 letters, digits, "_" or "-"' })
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  /** Leads every run's messages. */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  systemPrompt?: string;

  /** `provider:model`, the provider one of openai (and OpenAI-compatible servers), anthropic, ollama. */
  @ApiProperty({ pattern: MODEL_REF_PATTERN.source, example: 'openai:gpt-4o-mini' })
  @Trim()
  @Matches(MODEL_REF_PATTERN, { message: `model must be provider:model with the provider one of ${LLM_PROVIDERS.join(', ')} (e.g. openai:gpt-4o-mini)` })
  model: string;

  @ApiPropertyOptional({ type: ModelParametersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelParametersDto)
  modelParameters?: ModelParametersDto;

  /** Tool names or globs (`*` is any run of characters): `calculator`, `github.*`. Tools the caller may not run stay out. */
  @ApiPropertyOptional({ type: [String], maxItems: 256, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ArrayUnique()
  @Matches(TOOL_PATTERN, { each: true, message: 'each of tools must be a tool name or a glob of letters, digits, "_", ".", "-" and "*"' })
  tools?: string[];

  /** Model turns a run may take. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxSteps?: number;

  /** A run still going after this long stops as timed_out. */
  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 3_600_000, default: 120_000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ enum: AGENT_KINDS, default: 'single' })
  @IsOptional()
  @IsIn(AGENT_KINDS)
  kind?: AgentKind;

  /** Coordinators only: member agent ids, in order; a member may not lead back to the coordinator. */
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 32 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  members?: string[];

  /**
   * Parallel coordinators only: the agent that merges the members' outputs (it gets the input and each member's output
   * under its name). Without one, the answer is the outputs joined under the members' names.
   */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  aggregatorId?: string | null;
}

/** Any field of an agent; each change bumps its version. */
export class UpdateAgentDto extends PartialType(CreateAgentDto) {}

export class AgentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AGENT_KINDS })
  @IsOptional()
  @IsIn(AGENT_KINDS)
  kind?: AgentKind;

  /** Case-insensitive substring of the name or description. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class AgentPageDto extends PageOf(AgentDto) {}
