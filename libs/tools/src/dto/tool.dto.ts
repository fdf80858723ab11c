import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ToolInvocationQueryDto } from '@app/history';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { USER_ROLES, type UserRole } from '@app/users';
import { PageOf, PageQueryDto } from '@app/core';
import { TOOL_KINDS, TOOL_NAME_PATTERN, type Tool, type ToolKind } from '../entities/tool.entity.js';

export class ToolAnnotationsDto {
  @IsOptional()
  @IsBoolean()
  readOnlyHint?: boolean;

  @IsOptional()
  @IsBoolean()
  destructiveHint?: boolean;

  @IsOptional()
  @IsBoolean()
  idempotentHint?: boolean;

  @IsOptional()
  @IsBoolean()
  openWorldHint?: boolean;
}

/** A tool as callers see it: never its kind-specific configuration (it may hold credentials). */
export class ToolDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'calculator' })
  name: string;

  @ApiProperty({ type: String, nullable: true })
  title: string | null;

  description: string;

  @ApiProperty({ enum: TOOL_KINDS })
  kind: ToolKind;

  /** JSON Schema 2020-12 of the arguments. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  inputSchema: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  outputSchema: Record<string, unknown> | null;

  annotations: ToolAnnotationsDto;

  enabled: boolean;

  @ApiProperty({ type: 'integer' })
  timeoutMs: number;

  @ApiProperty({ type: 'integer' })
  cacheTtlSeconds: number;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  /** Admins only: what the tool's kind runs with (URL, method, header names…), every credential masked. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  config?: Record<string, unknown>;
}

/** `config` is given for admins only, already redacted by the tool's kind. */
export function toToolDto(tool: Tool, config?: Record<string, unknown>): ToolDto {
  return {
    id: tool.id,
    name: tool.name,
    title: tool.title,
    description: tool.description,
    kind: tool.kind,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
    enabled: tool.enabled,
    timeoutMs: tool.timeoutMs,
    cacheTtlSeconds: tool.cacheTtlSeconds,
    version: tool.version,
    updatedAt: tool.updatedAt.toISOString(),
    ...(config && { config }),
  };
}

export class ToolListQueryDto extends PageQueryDto {
  @ApiProperty({ enum: TOOL_KINDS, required: false })
  @IsOptional()
  @IsIn(TOOL_KINDS)
  kind?: ToolKind;

  @ApiProperty({ type: Boolean, required: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  enabled?: boolean;

  /** Case-insensitive substring of the name or description. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ToolPageDto extends PageOf(ToolDto) {}

export class InvokeToolDto {
  /** The tool's arguments, checked against its input schema. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @IsOptional()
  @IsObject()
  arguments?: Record<string, unknown>;

  /** Files the call under this conversation of yours in the history. */
  @ApiProperty({ format: 'uuid', required: false })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}

export class ToolCallResultDto {
  /** The tool's output; `{ error, code }` when isError. */
  @ApiPropertyOptional({ nullable: true })
  result: unknown;

  /** The tool ran and failed (bad expression, upstream error…); the request itself succeeded. */
  isError: boolean;

  @ApiProperty({ type: 'integer' })
  durationMs: number;

  /** Served from the result cache. */
  cached: boolean;

  /** The id of the row in /tool-invocations. */
  @ApiProperty({ format: 'uuid' })
  invocationId: string;
}

export class UpdateToolDto {
  @ApiPropertyOptional({ type: String, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  /** A disabled tool answers 409 and is hidden from MCP clients. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ type: 'integer', minimum: 100, maximum: 600_000, required: false })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeoutMs?: number;

  /** Seconds a result of a read-only or idempotent tool is reused; 0 turns caching off. */
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 86_400, required: false })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  cacheTtlSeconds?: number;

  /** Roles that may see and run the tool. */
  @ApiProperty({ enum: USER_ROLES, isArray: true, required: false })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(USER_ROLES, { each: true })
  allowedRoles?: UserRole[];

  /** JSON Schema 2020-12 of the arguments, an object schema; only for kinds an admin configures (http). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  inputSchema?: Record<string, unknown>;

  /** JSON Schema 2020-12 of the result (an object schema), null to drop it; only for kinds an admin configures. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  outputSchema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: ToolAnnotationsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ToolAnnotationsDto)
  annotations?: ToolAnnotationsDto;

  /** What the kind runs with; see POST /tools. Masked credentials given back unchanged keep their stored values. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

export class CreateToolDto extends UpdateToolDto {
  @ApiProperty({ pattern: TOOL_NAME_PATTERN.source, example: 'weather.current' })
  @Matches(TOOL_NAME_PATTERN, { message: 'name must be 1 to 64 letters, digits, "_", "." or "-"' })
  name: string;

  /** Kinds an admin can create; builtin tools come with the server, mcp tools from upstreams. */
  @ApiProperty({ enum: ['http'] })
  @IsIn(TOOL_KINDS)
  kind: ToolKind;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  declare inputSchema: Record<string, unknown>;

  /** For kind http: `{ url, method, headers?, query?, body? }`; see the README. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  declare config: Record<string, unknown>;
}

/** The invocation filters of /tool-invocations, for one tool. */
export class ToolInvocationsOfToolQueryDto extends OmitType(ToolInvocationQueryDto, ['tool'] as const) {}
