import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageOf, PageQueryDto, Trim } from '@app/core';
import type { ApiKey } from '../entities/api-key.entity.js';
import { API_KEY_SCOPES } from '../principal.js';

const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

/** An API key as listed: never its secret, nor the hash of it. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ example: 'CI pipeline' })
  name: string;

  /** The visible start of the key, to tell keys apart. */
  @ApiProperty({ example: 'mcpa_Xk3Jd9QpL2mN' })
  prefix: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: string[];

  @ApiProperty({ enum: API_KEY_STATUSES })
  status: ApiKeyStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  /** Updated at most once a minute (API_KEY_LAST_USED_INTERVAL_SECONDS). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

/** The answer to creating a key: the only time its secret is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  /** The whole key. Store it now: it is not kept and can't be shown again. */
  @ApiProperty({ example: 'mcpa_Xk3Jd9QpL2mN_4f8sT0bq7WcYkE2uR9aZ1nLd6HvG3pJxM5oQeBiC' })
  key: string;
}

export function toApiKeyDto(key: ApiKey, now = new Date()): ApiKeyDto {
  const status: ApiKeyStatus = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt <= now ? 'expired' : 'active';
  return {
    id: key.id,
    userId: key.userId,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    status,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}

export class CreateApiKeyDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;

  /** What the key may do; `*` (the default) is everything its owner's role allows. */
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, required: false, default: ['*'] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: string[];

  /** When the key stops working; omit for a key that doesn't expire. */
  @ApiProperty({ format: 'date-time', required: false })
  @IsOptional()
  @IsDateString({ strict: true })
  expiresAt?: string;
}

export class ApiKeyListQueryDto extends PageQueryDto {}

export class ApiKeyPageDto extends PageOf(ApiKeyDto) {}
