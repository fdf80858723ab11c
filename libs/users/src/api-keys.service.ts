import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { keysetPage, Page, PageRequest, ValidationFailedException } from '@app/core';
import { ApiKeyCache } from './api-key-cache.js';
import { issueApiKey } from './api-key-secret.js';
import { AuditService } from './audit.service.js';
import { CreateApiKeyDto } from './dto/api-key.dto.js';
import { ApiKey } from './entities/api-key.entity.js';
import { User } from './entities/user.entity.js';
import type { Actor, AuditActor, Principal } from './principal.js';
import { apiKeyNotFound, forbidden, userNotFound } from './users.errors.js';

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The whole key: returned once, never stored. */
  key: string;
}

/**
 * A user's API keys. Admins manage anyone's; members only their own, and another user's keys answer 404 exactly as
 * a user that doesn't exist would, so ids can't be probed.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keyCache: ApiKeyCache,
  ) {}

  async create(actor: Actor, userId: string, input: CreateApiKeyDto): Promise<CreatedApiKey> {
    this.assertCanManage(actor.principal, userId);
    const scopes = input.scopes ?? ['*'];
    this.assertNoEscalation(actor.principal, scopes);
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedException([{ pointer: '/expiresAt', message: 'expiresAt must be in the future' }]);
    }
    return this.dataSource.transaction(async (manager) => {
      if (!(await manager.existsBy(User, { id: userId }))) throw userNotFound(userId);
      return this.insert(manager, actor, userId, { name: input.name, scopes, expiresAt });
    });
  }

  /** Issues a key inside the caller's transaction, with its audit event; the secret leaves only in the result. */
  async insert(
    manager: EntityManager,
    actor: AuditActor,
    userId: string,
    input: { name: string; scopes: string[]; expiresAt: Date | null },
  ): Promise<CreatedApiKey> {
    const issued = issueApiKey();
    const apiKey = await manager.save(
      manager.create(ApiKey, { userId, name: input.name, prefix: issued.prefix, secretHash: issued.secretHash, scopes: input.scopes, expiresAt: input.expiresAt }),
    );
    await this.audit.record(manager, actor, {
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: apiKey.id,
      details: { userId, name: apiKey.name, prefix: apiKey.prefix, scopes: input.scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
    });
    return { apiKey, key: issued.key };
  }

  async list(principal: Principal, userId: string, page: PageRequest): Promise<Page<ApiKey>> {
    this.assertCanManage(principal, userId);
    const keys = this.dataSource.getRepository(ApiKey).createQueryBuilder('key').where('key.user_id = :userId', { userId });
    const result = await keysetPage(keys, page);
    if (result.items.length === 0 && !page.cursor && !(await this.dataSource.getRepository(User).existsBy({ id: userId }))) {
      throw userNotFound(userId);
    }
    return result;
  }

  /** Revoking twice is harmless: the key stays revoked as of the first time. */
  async revoke(actor: Actor, userId: string, keyId: string): Promise<void> {
    this.assertCanManage(actor.principal, userId);
    const secretHash = await this.dataSource.transaction(async (manager) => {
      const key = await manager
        .getRepository(ApiKey)
        .createQueryBuilder('key')
        .addSelect('key.secretHash')
        .setLock('pessimistic_write')
        .where('key.id = :keyId AND key.user_id = :userId', { keyId, userId })
        .getOne();
      if (!key) throw apiKeyNotFound(keyId);
      if (key.revokedAt) return key.secretHash;
      await manager.update(ApiKey, { id: keyId }, { revokedAt: () => 'now()' });
      await this.audit.record(manager, actor, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: keyId,
        details: { userId, name: key.name, prefix: key.prefix },
      });
      return key.secretHash;
    });
    await this.keyCache.invalidate([secretHash]);
  }

  private assertCanManage(principal: Principal, userId: string): void {
    if (principal.role !== 'admin' && principal.userId !== userId) throw userNotFound(userId);
  }

  /** A key can't mint a key that may do more than itself. */
  private assertNoEscalation(principal: Principal, scopes: string[]): void {
    if (principal.scopes.includes('*')) return;
    const beyond = scopes.filter((scope) => !principal.scopes.includes(scope));
    if (beyond.length > 0) {
      throw forbidden('SCOPE_ESCALATION', `The API key in use lacks ${beyond.join(', ')}, so it can't create a key that has it.`);
    }
  }
}
