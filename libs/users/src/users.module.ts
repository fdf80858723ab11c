import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AnonymousUserService } from './anonymous-user.service.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.service.js';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeysController, MyApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { AuthGuard } from './auth.guard.js';
import { BuiltinAdminService } from './builtin-admin.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimits } from './rate-limits.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/**
 * Users, API keys and the audit trail, plus the two global guards every route passes: AuthGuard (API key → Principal,
 * roles, scopes) and then RateLimitGuard (per key, or per IP when anonymous). Guards run in the order listed.
 */
@Module({
  controllers: [UsersController, MyApiKeysController, ApiKeysController, AuditController],
  providers: [
    ApiKeyCache,
    ApiKeyAuthenticator,
    BuiltinAdminService,
    AnonymousUserService,
    UsersService,
    ApiKeysService,
    AuditService,
    RateLimits,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [ApiKeyAuthenticator, AnonymousUserService, AuditService, UsersService, RateLimits],
})
export class UsersModule {}
