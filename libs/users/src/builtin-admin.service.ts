import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BuiltinUser } from './builtin-user.js';
import type { Principal } from './principal.js';

export const BUILTIN_ADMIN_ID = '00000000-0000-4000-8000-000000000001';

/** The admin that API_KEY authenticates as. */
@Injectable()
export class BuiltinAdminService {
  private readonly user: BuiltinUser;

  constructor(dataSource: DataSource) {
    this.user = new BuiltinUser(dataSource, { id: BUILTIN_ADMIN_ID, email: 'admin@builtin.invalid', name: 'Built-in admin (API_KEY)', role: 'admin' }, ['*']);
  }

  isBuiltin(userId: string): boolean {
    return userId === BUILTIN_ADMIN_ID;
  }

  resolve(): Promise<Principal> {
    return this.user.resolve();
  }
}
