import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { User } from './entities/user.entity.js';
import { toUserDto } from './dto/user.dto.js';
import type { Principal } from './principal.js';

/** Fixed, so every instance and every restart agree on who the API_KEY admin is. */
export const BUILTIN_ADMIN_ID = '00000000-0000-4000-8000-000000000001';
const BUILTIN_ADMIN_EMAIL = 'admin@builtin.invalid';

/**
 * The admin that API_KEY authenticates as: a real users row (so audit events, conversations and runs can point at
 * it), created on first use by whichever instance gets there first.
 */
@Injectable()
export class BuiltinAdminService {
  private principal?: Promise<Principal>;

  constructor(private readonly dataSource: DataSource) {}

  isBuiltin(userId: string): boolean {
    return userId === BUILTIN_ADMIN_ID;
  }

  resolve(): Promise<Principal> {
    this.principal ??= this.load().catch((error: unknown) => {
      this.principal = undefined;
      throw error;
    });
    return this.principal;
  }

  private async load(): Promise<Principal> {
    const users = this.dataSource.getRepository(User);
    await users
      .createQueryBuilder()
      .insert()
      .values({ id: BUILTIN_ADMIN_ID, email: BUILTIN_ADMIN_EMAIL, name: 'Built-in admin (API_KEY)', role: 'admin', status: 'active' })
      .orIgnore()
      .execute();
    const user = await users.findOneByOrFail({ id: BUILTIN_ADMIN_ID });
    return { userId: user.id, role: 'admin', keyId: null, scopes: ['*'], user: toUserDto(user) };
  }
}
