import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { containsPattern, DomainException, isUniqueViolation, keysetPage, Page } from '@app/core';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeysService, CreatedApiKey } from './api-keys.service.js';
import { AuditEntry, AuditService } from './audit.service.js';
import { BuiltinAdminService } from './builtin-admin.service.js';
import { CreateUserDto, UpdateUserDto, UserListQueryDto } from './dto/user.dto.js';
import { ApiKey } from './entities/api-key.entity.js';
import { User } from './entities/user.entity.js';
import type { Actor, AuditActor } from './principal.js';
import { builtinUserImmutable, emailTaken, userNotFound } from './users.errors.js';

function ownAccountLockout(): DomainException {
  return new DomainException({
    status: 409,
    code: 'OWN_ACCOUNT_LOCKOUT',
    title: 'Cannot lock yourself out',
    detail: 'An admin cannot disable, demote or delete their own account; ask another admin.',
  });
}

/** User lifecycle; every change writes its audit events in the same transaction and drops the owner's cached keys. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keyCache: ApiKeyCache,
    private readonly builtinAdmin: BuiltinAdminService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async create(actor: Actor, input: CreateUserDto): Promise<User> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await manager.save(manager.create(User, { email: input.email, name: input.name, role: input.role ?? 'member', status: 'active' }));
        await this.audit.record(manager, actor, { action: 'user.created', targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } });
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(input.email);
      throw error;
    }
  }

  /**
   * For `npm run cli -- users:create-admin`: a new admin and a first key for them, in one transaction, audited as done
   * from the command line.
   */
  async createAdmin(email: string, name: string): Promise<CreatedApiKey & { user: User }> {
    const operator: AuditActor = { principal: null, requestId: null, ip: null };
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await manager.save(manager.create(User, { email, name, role: 'admin', status: 'active' }));
        await this.audit.record(manager, operator, { action: 'user.created', targetType: 'user', targetId: user.id, details: { email, role: 'admin', via: 'cli' } });
        const created = await this.apiKeys.insert(manager, operator, user.id, { name: 'created by users:create-admin', scopes: ['*'], expiresAt: null });
        return { ...created, user };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(email);
      throw error;
    }
  }

  list(query: UserListQueryDto): Promise<Page<User>> {
    const users = this.dataSource.getRepository(User).createQueryBuilder('user');
    if (query.role) users.andWhere('user.role = :role', { role: query.role });
    if (query.status) users.andWhere('user.status = :status', { status: query.status });
    if (query.q) {
      const pattern = containsPattern(query.q);
      users.andWhere('(lower(user.email) LIKE :pattern OR lower(user.name) LIKE :pattern)', { pattern });
    }
    return keysetPage(users, query);
  }

  async get(id: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!user) throw userNotFound(id);
    return user;
  }

  async update(actor: Actor, id: string, input: UpdateUserDto): Promise<User> {
    if (this.builtinAdmin.isBuiltin(id)) throw builtinUserImmutable();
    const changeOwnAccess = (input.role !== undefined && input.role !== 'admin') || input.status === 'disabled';
    if (id === actor.principal.userId && changeOwnAccess) throw ownAccountLockout();
    try {
      const { user, hashes } = await this.dataSource.transaction(async (manager) => {
        const current = await this.lockUser(manager, id);
        const entries = this.changeEntries(current, input);
        if (entries.length === 0) return { user: current, hashes: [] };
        Object.assign(current, input);
        const saved = await manager.save(current);
        await this.audit.record(manager, actor, ...entries);
        return { user: saved, hashes: await this.keyHashesOf(manager, id) };
      });
      await this.keyCache.invalidate(hashes);
      return user;
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(input.email ?? '');
      throw error;
    }
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (this.builtinAdmin.isBuiltin(id)) throw builtinUserImmutable();
    if (id === actor.principal.userId) throw ownAccountLockout();
    const hashes = await this.dataSource.transaction(async (manager) => {
      const user = await this.lockUser(manager, id);
      // Read under the row lock: a key being created for this user waits for it, so none escapes invalidation.
      const keyHashes = await this.keyHashesOf(manager, id);
      await manager.delete(User, { id });
      await this.audit.record(manager, actor, { action: 'user.deleted', targetType: 'user', targetId: id, details: { email: user.email, role: user.role } });
      return keyHashes;
    });
    await this.keyCache.invalidate(hashes);
  }

  private async lockUser(manager: EntityManager, id: string): Promise<User> {
    const user = await manager.getRepository(User).createQueryBuilder('user').setLock('pessimistic_write').where('user.id = :id', { id }).getOne();
    if (!user) throw userNotFound(id);
    return user;
  }

  /** One audit event per kind of change: role changes and (dis)abling stand out in the trail. */
  private changeEntries(current: User, input: UpdateUserDto): AuditEntry[] {
    const target = { targetType: 'user', targetId: current.id };
    const entries: AuditEntry[] = [];
    if (input.role !== undefined && input.role !== current.role) {
      entries.push({ action: 'user.role_changed', ...target, details: { from: current.role, to: input.role } });
    }
    if (input.status !== undefined && input.status !== current.status) {
      entries.push({ action: input.status === 'disabled' ? 'user.disabled' : 'user.enabled', ...target });
    }
    const profile: Record<string, { from: string; to: string }> = {};
    for (const field of ['email', 'name'] as const) {
      if (input[field] !== undefined && input[field] !== current[field]) profile[field] = { from: current[field], to: input[field] };
    }
    if (Object.keys(profile).length > 0) entries.push({ action: 'user.updated', ...target, details: profile });
    return entries;
  }

  private async keyHashesOf(manager: EntityManager, userId: string): Promise<string[]> {
    const keys = await manager
      .getRepository(ApiKey)
      .createQueryBuilder('key')
      .select(['key.id'])
      .addSelect('key.secretHash')
      .where('key.user_id = :userId', { userId })
      .getMany();
    return keys.map((key) => key.secretHash);
  }
}
