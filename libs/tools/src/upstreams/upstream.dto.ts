import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUrl, Matches, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { PageOf, PageQueryDto } from '@app/core';
import { IsHeaderMap } from './header-map.validator.js';
import { UPSTREAM_NAME_PATTERN, UPSTREAM_STATUSES, type UpstreamServer, type UpstreamStatus } from './upstream-server.entity.js';

/** An upstream as admins see it: header names only, never their values. */
export class UpstreamDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'github' })
  name: string;

  @ApiProperty({ example: 'https://mcp.example.com/mcp' })
  url: string;

  /** The headers sent to the upstream; their values are stored encrypted and never returned. */
  @ApiProperty({ example: ['Authorization'] })
  headerNames: string[];

  /** A disabled upstream's tools are disabled and it is not synced. */
  enabled: boolean;

  @ApiProperty({ enum: UPSTREAM_STATUSES })
  status: UpstreamStatus;

  /** The last sync that reached the upstream. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncAt: string | null;

  /** Why the last contact failed, or which remote tools the last sync skipped. */
  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function toUpstreamDto(upstream: UpstreamServer): UpstreamDto {
  return {
    id: upstream.id,
    name: upstream.name,
    url: upstream.url,
    headerNames: Object.keys(upstream.headers).sort(),
    enabled: upstream.enabled,
    status: upstream.status,
    lastSyncAt: upstream.lastSyncAt?.toISOString() ?? null,
    lastError: upstream.lastError,
    createdAt: upstream.createdAt.toISOString(),
    updatedAt: upstream.updatedAt.toISOString(),
  };
}

export class CreateUpstreamDto {
  /** The prefix of its tools' names (`<name>.<tool>`); can't be changed later. */
  @ApiProperty({ pattern: UPSTREAM_NAME_PATTERN.source, example: 'github' })
  @Matches(UPSTREAM_NAME_PATTERN, { message: 'name must be 1 to 32 letters, digits, "_" or "-" (no dots: its tools are named <name>.<tool>)' })
  name: string;

  /** The server's Streamable HTTP endpoint. Credentials go in headers, not in the URL. */
  @ApiProperty({ example: 'https://mcp.example.com/mcp', maxLength: 2000 })
  @MaxLength(2000)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'url must be an http or https URL without user or password in it' },
  )
  url: string;

  /** Sent with every request to the upstream (e.g. `Authorization`); stored encrypted, never returned. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { Authorization: 'Bearer …' } })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** `headers`, when given, replaces the whole set (`{}` clears it). */
export class UpdateUpstreamDto extends PartialType(OmitType(CreateUpstreamDto, ['name'] as const)) {}

export class UpstreamListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: UPSTREAM_STATUSES })
  @IsOptional()
  @IsIn(UPSTREAM_STATUSES)
  status?: UpstreamStatus;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  enabled?: boolean;
}

export class UpstreamPageDto extends PageOf(UpstreamDto) {}

export class SkippedRemoteToolDto {
  /** The tool's name on the upstream. */
  name: string;

  reason: string;
}

/** What a sync changed in the registry, by tool name. */
export class UpstreamSyncResultDto {
  upstream: UpstreamDto;

  /** New tools imported. */
  added: string[];

  /** Tools whose definition changed on the upstream. */
  updated: string[];

  /** Tools disabled because the upstream no longer lists them. */
  disabled: string[];

  /** Tools enabled again because the upstream lists them again. */
  enabled: string[];

  /** Remote tools not imported: a name that doesn't fit, a schema that doesn't compile, a name taken. */
  @ApiProperty({ type: [SkippedRemoteToolDto] })
  skipped: SkippedRemoteToolDto[];
}
