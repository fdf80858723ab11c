import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { PageOf, PageQueryDto, Trim } from '@app/core';
import { USER_ROLES, USER_STATUSES, type User, type UserRole, type UserStatus } from '../entities/user.entity.js';
import type { UserProfile } from '../principal.js';

export class UserDto implements UserProfile {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: USER_ROLES })
  role: UserRole;

  @ApiProperty({ enum: USER_STATUSES })
  status: UserStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export class CreateUserDto {
  /** Unique regardless of case. */
  @Trim()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @Trim()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: USER_ROLES, required: false, description: 'member unless given' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['role'] as const)) {
  @ApiProperty({ enum: USER_ROLES, required: false })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  /** A disabled user's keys stop working at once; enabling restores them. */
  @ApiProperty({ enum: USER_STATUSES, required: false })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiProperty({ enum: USER_ROLES, required: false, description: 'Only users with this role' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiProperty({ enum: USER_STATUSES, required: false, description: 'Only users with this status' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  /** Case-insensitive substring of the email or name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class UserPageDto extends PageOf(UserDto) {}
