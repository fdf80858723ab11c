import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The built-in admin's key (API_KEY) every users suite boots its apps with. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface TestUser {
  id: string;
  email: string;
  role: 'admin' | 'member';
  /** A working API key of this user. */
  key: string;
  keyId: string;
}

let sequence = 0;

/** A user and one key for them, made through the API as an operator would (with the built-in admin). */
export async function createUser(
  app: NestFastifyApplication,
  options: { role?: 'admin' | 'member'; email?: string; scopes?: string[]; expiresAt?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `user${++sequence}-${Date.now()}@example.com`;
  const created = await app.inject({ method: 'POST', url: '/users', headers: bearer(ADMIN_KEY), payload: { email, name: email.split('@')[0], role: options.role ?? 'member' } });
  if (created.statusCode !== 201) throw new Error(`creating ${email}: ${created.statusCode} ${created.body}`);
  const user = created.json();
  const key = await createKey(app, ADMIN_KEY, user.id, { scopes: options.scopes, expiresAt: options.expiresAt });
  return { id: user.id, email, role: user.role, key: key.key, keyId: key.id };
}

export async function createKey(
  app: NestFastifyApplication,
  asKey: string,
  userId: string,
  options: { name?: string; scopes?: string[]; expiresAt?: string } = {},
): Promise<{ id: string; key: string }> {
  const payload: Record<string, unknown> = { name: options.name ?? 'test key' };
  if (options.scopes) payload.scopes = options.scopes;
  if (options.expiresAt) payload.expiresAt = options.expiresAt;
  const response = await app.inject({ method: 'POST', url: `/users/${userId}/api-keys`, headers: bearer(asKey), payload });
  if (response.statusCode !== 201) throw new Error(`creating a key: ${response.statusCode} ${response.body}`);
  return response.json();
}
