import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage, ParseUuidPipe } from '@app/core';
import { ApiKeyAuth, CurrentActor, CurrentPrincipal, RequireScopes, Roles } from './auth.decorators.js';
import { CreateUserDto, toUserDto, UpdateUserDto, UserDto, UserListQueryDto, UserPageDto } from './dto/user.dto.js';
import type { Actor, Principal } from './principal.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiKeyAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The caller's own account; any valid key may read it. */
  @Get('me')
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentPrincipal() principal: Principal): UserDto {
    return principal.user;
  }

  @Post()
  @Roles('admin')
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'The email is taken (EMAIL_TAKEN)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.create(actor, body));
  }

  @Get()
  @Roles('admin')
  @RequireScopes('users:read')
  @ApiOperation({ summary: 'List users, newest first (admin)' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@Query() query: UserListQueryDto): Promise<UserPageDto> {
    return mapPage(await this.users.list(query), toUserDto);
  }

  @Get(':id')
  @Roles('admin')
  @RequireScopes('users:read')
  @ApiOperation({ summary: 'Get a user (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user' })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<UserDto> {
    return toUserDto(await this.users.get(id));
  }

  @Patch(':id')
  @Roles('admin')
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Change a user: email, name, role or status (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'Email taken, the built-in admin, or an admin locking themselves out' })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.update(actor, id, body));
  }

  /** Deletes the user and their API keys; their audit trail stays. */
  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Delete a user and their API keys (admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The built-in admin, or the caller themselves' })
  async remove(@CurrentActor() actor: Actor, @Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.users.remove(actor, id);
  }
}
