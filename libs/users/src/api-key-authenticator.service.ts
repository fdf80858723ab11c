import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { authConfig } from '@app/core';
import { ApiKeyCache, CachedApiKey } from './api-key-cache.js';
import { apiKeyPrefix, hashApiKey } from './api-key-secret.js';
import { BuiltinAdminService } from './builtin-admin.service.js';
import { toUserDto } from './dto/user.dto.js';
import { ApiKey } from './entities/api-key.entity.js';
import type { Principal } from './principal.js';
import { unauthorized } from './users.errors.js';

type Headers = Record<string, string | string[] | undefined>;

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function credentialFrom(headers: Headers): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey.trim() : undefined;
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Turns a presented API key into a Principal, or refuses it with a 401 problem. Used by the HTTP guard and by the
 * MCP transport alike. Lookups go through ApiKeyCache; lastUsedAt is written at most once per interval per key.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly logger = new Logger(ApiKeyAuthenticator.name);
  private readonly lastTouched = new Map<string, number>();

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly dataSource: DataSource,
    private readonly cache: ApiKeyCache,
    private readonly builtinAdmin: BuiltinAdminService,
  ) {}

  async authenticate(credential: string | undefined): Promise<Principal> {
    if (!credential) {
      throw unauthorized('AUTHENTICATION_REQUIRED', 'Send an API key as "Authorization: Bearer <key>" or in the X-API-Key header.', false);
    }
    const secretHash = hashApiKey(credential);
    if (this.config.staticKeyHash && sameHash(secretHash, this.config.staticKeyHash)) return this.builtinAdmin.resolve();

    const prefix = apiKeyPrefix(credential);
    if (!prefix) throw this.invalid();
    let entry = await this.cache.get(secretHash);
    if (!entry) {
      entry = await this.load(prefix, secretHash);
      if (!entry) throw this.invalid();
      await this.cache.fill(secretHash, entry);
    }

    if (entry.revokedAt) throw unauthorized('API_KEY_REVOKED', 'This API key has been revoked.', true);
    if (entry.expiresAt && Date.parse(entry.expiresAt) <= Date.now()) throw unauthorized('API_KEY_EXPIRED', 'This API key has expired.', true);
    if (entry.user.status !== 'active') throw unauthorized('USER_DISABLED', 'The owner of this API key is disabled.', true);
    this.touch(entry.keyId);
    return { userId: entry.user.id, role: entry.user.role, keyId: entry.keyId, scopes: entry.scopes, user: entry.user };
  }

  private invalid() {
    return unauthorized('INVALID_API_KEY', 'The API key is not valid.', true);
  }

  private async load(prefix: string, secretHash: string): Promise<CachedApiKey | undefined> {
    const key = await this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('key')
      .addSelect('key.secretHash')
      .innerJoinAndSelect('key.user', 'user')
      .where('key.prefix = :prefix', { prefix })
      .getOne();
    if (!key?.user || !sameHash(key.secretHash, secretHash)) return undefined;
    return {
      keyId: key.id,
      scopes: key.scopes,
      expiresAt: key.expiresAt?.toISOString() ?? null,
      revokedAt: key.revokedAt?.toISOString() ?? null,
      user: toUserDto(key.user),
    };
  }

  /** Records use without a write per request: once per interval per key on this instance, and never waited on. */
  private touch(keyId: string): void {
    const now = Date.now();
    const last = this.lastTouched.get(keyId);
    if (last !== undefined && now - last < this.config.lastUsedIntervalMs) return;
    if (this.lastTouched.size >= 10_000) this.lastTouched.clear();
    this.lastTouched.set(keyId, now);
    this.dataSource
      .query(
        `UPDATE api_keys SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [keyId, this.config.lastUsedIntervalMs / 1000],
      )
      .catch((error: Error) => this.logger.warn(`could not record the use of API key ${keyId}: ${error.message}`));
  }
}
