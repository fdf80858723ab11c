import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes } from './auth.decorators.js';
import { ApiKeyListQueryDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './dto/api-key.dto.js';
import type { Actor, Principal } from './principal.js';

/** Any user's keys: admins for everyone, members for themselves (another user's id answers 404). */
@ApiTags('api-keys')
@ApiKeyAuth()
@Controller('users/:userId/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @RequireScopes('keys:write')
  @ApiOperation({ summary: "Create an API key for a user; the response holds the key, shown only this once" })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiNotFoundResponse({ description: 'No such user (or not one the caller may manage)' })
  async create(@CurrentActor() actor: Actor, @Param('userId', ParseUuidPipe) userId: string, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, key } = await this.apiKeys.create(actor, userId, body);
    return { ...toApiKeyDto(apiKey), key };
  }

  @Get()
  @RequireScopes('keys:read')
  @ApiOperation({ summary: "List a user's API keys, newest first (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiNotFoundResponse({ description: 'No such user (or not one the caller may manage)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', ParseUuidPipe) userId: string,
    @Query() query: ApiKeyListQueryDto,
  ): Promise<ApiKeyPageDto> {
    return mapPage(await this.apiKeys.list(principal, userId, query), toApiKeyDto);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @RequireScopes('keys:write')
  @ApiOperation({ summary: 'Revoke an API key: refused from the next request on, on every instance' })
  @ApiNoContentResponse({ description: 'Revoked (or already was)' })
  @ApiNotFoundResponse({ description: 'No such key for this user' })
  async revoke(
    @CurrentActor() actor: Actor,
    @Param('userId', ParseUuidPipe) userId: string,
    @Param('keyId', ParseUuidPipe) keyId: string,
  ): Promise<void> {
    await this.apiKeys.revoke(actor, userId, keyId);
  }
}

/** The caller's own keys, for members and admins alike. */
@ApiTags('api-keys')
@ApiKeyAuth()
@Controller('users/me/api-keys')
export class MyApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @RequireScopes('keys:write')
  @ApiOperation({ summary: 'Create an API key for yourself; the response holds the key, shown only this once' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, key } = await this.apiKeys.create(actor, actor.principal.userId, body);
    return { ...toApiKeyDto(apiKey), key };
  }

  @Get()
  @RequireScopes('keys:read')
  @ApiOperation({ summary: 'List your API keys, newest first (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ApiKeyListQueryDto): Promise<ApiKeyPageDto> {
    return mapPage(await this.apiKeys.list(principal, principal.userId, query), toApiKeyDto);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @RequireScopes('keys:write')
  @ApiOperation({ summary: 'Revoke one of your API keys' })
  @ApiNoContentResponse({ description: 'Revoked (or already was)' })
  @ApiNotFoundResponse({ description: 'You have no key with this id' })
  async revoke(@CurrentActor() actor: Actor, @Param('keyId', ParseUuidPipe) keyId: string): Promise<void> {
    await this.apiKeys.revoke(actor, actor.principal.userId, keyId);
  }
}
