import { DataSource } from 'typeorm';
import { toUserDto } from './dto/user.dto.js';
import { User, type UserRole } from './entities/user.entity.js';
import type { Principal } from './principal.js';

export interface BuiltinUserRow {
  /** Fixed, so every instance and every restart agree on who this user is. */
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

/**
 * A principal the server itself vouches for, backed by a real users row (so audit events, conversations and tool
 * invocations can point at it), created on first use by whichever instance gets there first.
 */
export class BuiltinUser {
  private principal?: Promise<Principal>;

  constructor(
    private readonly dataSource: DataSource,
    readonly row: BuiltinUserRow,
    private readonly scopes: readonly string[],
  ) {}

  resolve(): Promise<Principal> {
    this.principal ??= this.load().catch((error: unknown) => {
      this.principal = undefined;
      throw error;
    });
    return this.principal;
  }

  private async load(): Promise<Principal> {
    const users = this.dataSource.getRepository(User);
    await users.createQueryBuilder().insert().values({ ...this.row, status: 'active' }).orIgnore().execute();
    const user = await users.findOneByOrFail({ id: this.row.id });
    return { userId: user.id, role: this.row.role, keyId: null, scopes: this.scopes, user: toUserDto(user) };
  }
}
