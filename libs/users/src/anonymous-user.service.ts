import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BuiltinUser } from './builtin-user.js';
import type { Principal } from './principal.js';

export const ANONYMOUS_USER_ID = '00000000-0000-4000-8000-000000000002';

/**
 * Who a caller without credentials is where an operator allowed that (MCP_ALLOW_ANONYMOUS): one shared member, so
 * the tool invocations and conversations of anonymous callers still belong to a real user row.
 */
@Injectable()
export class AnonymousUserService {
  private readonly user: BuiltinUser;

  constructor(dataSource: DataSource) {
    this.user = new BuiltinUser(dataSource, { id: ANONYMOUS_USER_ID, email: 'anonymous@builtin.invalid', name: 'Anonymous (MCP_ALLOW_ANONYMOUS)', role: 'member' }, [
      'tools:read',
      'tools:invoke',
      'history:read',
    ]);
  }

  resolve(): Promise<Principal> {
    return this.user.resolve();
  }
}
