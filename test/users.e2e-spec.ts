import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ADMIN_KEY, bearer, createKey, createUser, TestUser } from './support/users.js';
import { createTestApp, resetState, useTestApp } from './support/test-app.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

const NO_SUCH_ID = '3f0c9a4e-8d1b-4c2a-9e7f-0a1b2c3d4e5f';

function expectProblem(response: Injected, status: number, code: string) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({ status, code, requestId: response.headers['x-request-id'] });
  return body;
}

describe('users, API keys and audit', () => {
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' } });
  const call = (method: string, url: string, key?: string, payload?: unknown) =>
    app().inject({ method: method as 'GET', url, headers: key ? bearer(key) : {}, payload: payload as object });

  describe('role matrix over every route', () => {
    type Role = 'anonymous' | 'member' | 'admin';
    interface World {
      member: TestUser;
      admin: TestUser;
      other: TestUser;
      spareKeyOf: Record<'member' | 'admin', string>;
    }
    type Route = { name: string; request: (w: World) => [string, string, unknown?]; expect: Record<Role, number> };

    const routes: Route[] = [
      { name: 'GET /users/me', request: () => ['GET', '/users/me'], expect: { anonymous: 401, member: 200, admin: 200 } },
      {
        name: 'POST /users',
        request: () => ['POST', '/users', { email: 'new@example.com', name: 'New' }],
        expect: { anonymous: 401, member: 403, admin: 201 },
      },
      { name: 'GET /users', request: () => ['GET', '/users'], expect: { anonymous: 401, member: 403, admin: 200 } },
      { name: 'GET /users/{id}', request: (w) => ['GET', `/users/${w.other.id}`], expect: { anonymous: 401, member: 403, admin: 200 } },
      {
        name: 'PATCH /users/{id}',
        request: (w) => ['PATCH', `/users/${w.other.id}`, { name: 'Renamed' }],
        expect: { anonymous: 401, member: 403, admin: 200 },
      },
      { name: 'DELETE /users/{id}', request: (w) => ['DELETE', `/users/${w.other.id}`], expect: { anonymous: 401, member: 403, admin: 204 } },
      {
        name: 'POST /users/{id}/api-keys (another user)',
        request: (w) => ['POST', `/users/${w.other.id}/api-keys`, { name: 'k' }],
        expect: { anonymous: 401, member: 404, admin: 201 },
      },
      {
        name: 'GET /users/{id}/api-keys (another user)',
        request: (w) => ['GET', `/users/${w.other.id}/api-keys`],
        expect: { anonymous: 401, member: 404, admin: 200 },
      },
      {
        name: 'DELETE /users/{id}/api-keys/{keyId} (another user)',
        request: (w) => ['DELETE', `/users/${w.other.id}/api-keys/${w.other.keyId}`],
        expect: { anonymous: 401, member: 404, admin: 204 },
      },
      { name: 'POST /users/me/api-keys', request: () => ['POST', '/users/me/api-keys', { name: 'mine' }], expect: { anonymous: 401, member: 201, admin: 201 } },
      { name: 'GET /users/me/api-keys', request: () => ['GET', '/users/me/api-keys'], expect: { anonymous: 401, member: 200, admin: 200 } },
      {
        name: 'DELETE /users/me/api-keys/{keyId}',
        request: (w) => ['DELETE', `/users/me/api-keys/${w.spareKeyOf.member}`],
        expect: { anonymous: 401, member: 204, admin: 404 },
      },
      { name: 'GET /audit', request: () => ['GET', '/audit'], expect: { anonymous: 401, member: 403, admin: 200 } },
      { name: 'GET /health/live', request: () => ['GET', '/health/live'], expect: { anonymous: 200, member: 200, admin: 200 } },
    ];

    const cases = routes.flatMap((route) => (['anonymous', 'member', 'admin'] as Role[]).map((role) => [route.name, role, route] as const));

    it.each(cases)('%s as %s', async (_name, role, route) => {
      const member = await createUser(app(), { role: 'member' });
      const admin = await createUser(app(), { role: 'admin' });
      const other = await createUser(app(), { role: 'member' });
      const world: World = {
        member,
        admin,
        other,
        spareKeyOf: { member: (await createKey(app(), member.key, member.id)).id, admin: (await createKey(app(), admin.key, admin.id)).id },
      };
      const [method, url, payload] = route.request(world);
      const key = role === 'anonymous' ? undefined : world[role].key;
      const response = await call(method, url, key, payload);
      expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: route.expect[role] });
      if (response.statusCode === 401) {
        expect(response.headers['www-authenticate']).toBe('Bearer realm="mcp-assistant"');
        expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
      }
      if (response.statusCode === 403) expectProblem(response, 403, 'ROLE_REQUIRED');
    });
  });

  describe('authentication', () => {
    it('accepts a key as a bearer token or in X-API-Key, and the built-in admin of API_KEY', async () => {
      const ada = await createUser(app(), { email: 'ada@example.com' });
      const viaBearer = await app().inject({ method: 'GET', url: '/users/me', headers: { authorization: `bearer ${ada.key}` } });
      const viaHeader = await app().inject({ method: 'GET', url: '/users/me', headers: { 'x-api-key': ada.key } });
      expect(viaBearer.json()).toMatchObject({ id: ada.id, email: 'ada@example.com', role: 'member', status: 'active' });
      expect(viaHeader.json()).toEqual(viaBearer.json());
      expect((await call('GET', '/users/me', ADMIN_KEY)).json()).toMatchObject({ role: 'admin', email: 'admin@builtin.invalid' });
    });

    it('refuses unknown and malformed keys with invalid_token', async () => {
      const ada = await createUser(app());
      const tampered = `${ada.key.slice(0, -1)}${ada.key.endsWith('x') ? 'y' : 'x'}`;
      for (const key of [tampered, 'mcpa_nope', `${ADMIN_KEY}x`]) {
        const response = await call('GET', '/users/me', key);
        expectProblem(response, 401, 'INVALID_API_KEY');
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="mcp-assistant", error="invalid_token"/);
      }
      expectProblem(await app().inject({ method: 'GET', url: '/users/me', headers: { authorization: `Basic ${ada.key}` } }), 401, 'AUTHENTICATION_REQUIRED');
    });

    it('refuses a revoked key on the very next request', async () => {
      const ada = await createUser(app());
      expect((await call('GET', '/users/me', ada.key)).statusCode).toBe(200);
      expect((await call('DELETE', `/users/me/api-keys/${ada.keyId}`, ada.key)).statusCode).toBe(204);
      expectProblem(await call('GET', '/users/me', ada.key), 401, 'API_KEY_REVOKED');
      // Revoking again is harmless.
      expect((await call('DELETE', `/users/${ada.id}/api-keys/${ada.keyId}`, ADMIN_KEY)).statusCode).toBe(204);
    });

    it('refuses an expired key, even one served from the cache', async () => {
      const ada = await createUser(app(), { expiresAt: new Date(Date.now() + 1500).toISOString() });
      expect((await call('GET', '/users/me', ada.key)).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expectProblem(await call('GET', '/users/me', ada.key), 401, 'API_KEY_EXPIRED');
      const listed = (await call('GET', `/users/${ada.id}/api-keys`, ADMIN_KEY)).json();
      expect(listed.items[0]).toMatchObject({ id: ada.keyId, status: 'expired' });
    });

    it('refuses keys of a disabled user, accepts them again once enabled, and forgets them with the user', async () => {
      const ada = await createUser(app());
      expect((await call('GET', '/users/me', ada.key)).statusCode).toBe(200);
      expect((await call('PATCH', `/users/${ada.id}`, ADMIN_KEY, { status: 'disabled' })).statusCode).toBe(200);
      expectProblem(await call('GET', '/users/me', ada.key), 401, 'USER_DISABLED');
      expect((await call('PATCH', `/users/${ada.id}`, ADMIN_KEY, { status: 'active' })).statusCode).toBe(200);
      expect((await call('GET', '/users/me', ada.key)).statusCode).toBe(200);
      expect((await call('DELETE', `/users/${ada.id}`, ADMIN_KEY)).statusCode).toBe(204);
      expectProblem(await call('GET', '/users/me', ada.key), 401, 'INVALID_API_KEY');
    });

    it('sees a role change on the next request', async () => {
      const ada = await createUser(app());
      expectProblem(await call('GET', '/users', ada.key), 403, 'ROLE_REQUIRED');
      await call('PATCH', `/users/${ada.id}`, ADMIN_KEY, { role: 'admin' });
      expect((await call('GET', '/users', ada.key)).statusCode).toBe(200);
      expect((await call('GET', '/users/me', ada.key)).json().role).toBe('admin');
    });

    it('records use in lastUsedAt without a write per request', async () => {
      const ada = await createUser(app());
      const lastUsed = async () => (await call('GET', `/users/${ada.id}/api-keys`, ADMIN_KEY)).json().items[0].lastUsedAt;
      expect(await lastUsed()).toBeNull();
      await call('GET', '/users/me', ada.key);
      let first: string | null = null;
      for (let i = 0; i < 50 && !first; i++) {
        first = await lastUsed();
        if (!first) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(first).not.toBeNull();
      for (let i = 0; i < 5; i++) await call('GET', '/users/me', ada.key);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await lastUsed()).toBe(first);
    });
  });

  describe('scopes', () => {
    it('limits a key to its scopes (403 SCOPE_REQUIRED) while /users/me stays open to it', async () => {
      const admin = await createUser(app(), { role: 'admin', scopes: ['users:read'] });
      expect((await call('GET', '/users', admin.key)).statusCode).toBe(200);
      expect((await call('GET', '/users/me', admin.key)).statusCode).toBe(200);
      expectProblem(await call('POST', '/users', admin.key, { email: 'x@example.com', name: 'X' }), 403, 'SCOPE_REQUIRED');
      expectProblem(await call('GET', '/audit', admin.key), 403, 'SCOPE_REQUIRED');
    });

    it("won't let a key mint a key with more scopes than its own", async () => {
      const ada = await createUser(app(), { scopes: ['keys:read', 'keys:write'] });
      const escalation = await call('POST', '/users/me/api-keys', ada.key, { name: 'wider', scopes: ['*'] });
      expectProblem(escalation, 403, 'SCOPE_ESCALATION');
      const narrower = await call('POST', '/users/me/api-keys', ada.key, { name: 'narrower', scopes: ['keys:read'] });
      expect(narrower.statusCode).toBe(201);
      expect(narrower.json().scopes).toEqual(['keys:read']);
    });

    it('refuses unknown scopes and past expiry dates with pointers', async () => {
      const bad = expectProblem(await call('POST', '/users/me/api-keys', ADMIN_KEY, { name: 'k', scopes: ['root'] }), 400, 'VALIDATION_FAILED');
      expect(bad.errors[0].pointer).toBe('/scopes');
      const past = expectProblem(
        await call('POST', '/users/me/api-keys', ADMIN_KEY, { name: 'k', expiresAt: '2020-01-01T00:00:00Z' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(past.errors).toEqual([{ pointer: '/expiresAt', message: 'expiresAt must be in the future' }]);
    });
  });

  describe('users', () => {
    it('creates, reads, updates and deletes users; email is unique regardless of case', async () => {
      const created = await call('POST', '/users', ADMIN_KEY, { email: 'Grace@Example.com', name: ' Grace ' });
      expect(created.statusCode).toBe(201);
      const grace = created.json();
      expect(grace).toMatchObject({ email: 'Grace@Example.com', name: 'Grace', role: 'member', status: 'active' });
      expectProblem(await call('POST', '/users', ADMIN_KEY, { email: 'grace@example.COM', name: 'Twin' }), 409, 'EMAIL_TAKEN');
      expect((await call('GET', `/users/${grace.id}`, ADMIN_KEY)).json()).toEqual(grace);
      const updated = (await call('PATCH', `/users/${grace.id}`, ADMIN_KEY, { role: 'admin', name: 'Grace Hopper' })).json();
      expect(updated).toMatchObject({ role: 'admin', name: 'Grace Hopper' });
      expect((await call('DELETE', `/users/${grace.id}`, ADMIN_KEY)).statusCode).toBe(204);
      expectProblem(await call('GET', `/users/${grace.id}`, ADMIN_KEY), 404, 'USER_NOT_FOUND');
      expectProblem(await call('DELETE', `/users/${grace.id}`, ADMIN_KEY), 404, 'USER_NOT_FOUND');
    });

    it('answers bad input with problems naming the field', async () => {
      const body = expectProblem(await call('POST', '/users', ADMIN_KEY, { email: 'not-an-email', name: '', role: 'root', extra: 1 }), 400, 'VALIDATION_FAILED');
      expect(body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/email', '/extra', '/name', '/role']);
      expect(expectProblem(await call('GET', '/users/not-a-uuid', ADMIN_KEY), 400, 'VALIDATION_FAILED').errors[0].pointer).toBe('/id');
      expectProblem(await call('GET', '/users?cursor=garbage', ADMIN_KEY), 400, 'INVALID_CURSOR');
      expect(expectProblem(await call('GET', '/users?limit=1000', ADMIN_KEY), 400, 'VALIDATION_FAILED').errors[0].pointer).toBe('/limit');
    });

    it('keeps the built-in admin and an admin\'s own access out of reach', async () => {
      const me = (await call('GET', '/users/me', ADMIN_KEY)).json();
      expectProblem(await call('PATCH', `/users/${me.id}`, ADMIN_KEY, { name: 'x' }), 409, 'BUILTIN_USER_IMMUTABLE');
      expectProblem(await call('DELETE', `/users/${me.id}`, ADMIN_KEY), 409, 'BUILTIN_USER_IMMUTABLE');
      const admin = await createUser(app(), { role: 'admin' });
      expectProblem(await call('PATCH', `/users/${admin.id}`, admin.key, { role: 'member' }), 409, 'OWN_ACCOUNT_LOCKOUT');
      expectProblem(await call('PATCH', `/users/${admin.id}`, admin.key, { status: 'disabled' }), 409, 'OWN_ACCOUNT_LOCKOUT');
      expectProblem(await call('DELETE', `/users/${admin.id}`, admin.key), 409, 'OWN_ACCOUNT_LOCKOUT');
      expect((await call('PATCH', `/users/${admin.id}`, admin.key, { name: 'Still me' })).statusCode).toBe(200);
    });

    it('pages through users newest first with a cursor that stays stable while users are added', async () => {
      for (let i = 0; i < 5; i++) await call('POST', '/users', ADMIN_KEY, { email: `p${i}@example.com`, name: `P${i}`, role: i % 2 ? 'admin' : 'member' });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: { email: string }[]; nextCursor: string | null } = (
          await call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, ADMIN_KEY)
        ).json();
        seen.push(...page.items.map((user) => user.email));
        cursor = page.nextCursor;
        // Users created mid-way are newer than the cursor: they don't shift the pages still to come.
        if (pages++ === 0) await call('POST', '/users', ADMIN_KEY, { email: 'late@example.com', name: 'Late' });
      } while (cursor);
      const expected = ['p4', 'p3', 'p2', 'p1', 'p0'].map((p) => `${p}@example.com`);
      expect(seen.filter((email) => email.startsWith('p'))).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);

      const admins = (await call('GET', '/users?role=admin', ADMIN_KEY)).json().items.map((user: { email: string }) => user.email);
      expect(admins).toEqual(expect.arrayContaining(['p3@example.com', 'p1@example.com']));
      expect(admins).not.toContain('p2@example.com');
      const found = (await call('GET', '/users?q=P2%40EXAMPLE', ADMIN_KEY)).json().items;
      expect(found.map((user: { email: string }) => user.email)).toEqual(['p2@example.com']);
      expect((await call('GET', '/users?status=disabled', ADMIN_KEY)).json()).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('API keys', () => {
    it('shows the secret once and never again, in no list or audit event', async () => {
      const ada = await createUser(app());
      const created = (await call('POST', '/users/me/api-keys', ada.key, { name: 'laptop', scopes: ['keys:read'] })).json();
      expect(created.key).toMatch(/^mcpa_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      const secret = created.key.slice(created.prefix.length + 1);
      const list = await call('GET', '/users/me/api-keys', ada.key);
      const audit = await call('GET', '/audit', ADMIN_KEY);
      for (const body of [list.body, audit.body]) {
        expect(body).not.toContain(secret);
        expect(body).not.toMatch(/secretHash|secret_hash|"key"/);
      }
      expect(list.json().items.map((key: { name: string }) => key.name)).toEqual(['laptop', 'test key']);
      const row = await app().get(DataSource).query('SELECT secret_hash FROM api_keys WHERE id = $1', [created.id]);
      expect(row[0].secret_hash).not.toContain(secret);
    });

    it("hides other users' keys as if they didn't exist", async () => {
      const ada = await createUser(app());
      const bob = await createUser(app());
      const missingUser = expectProblem(await call('GET', `/users/${NO_SUCH_ID}/api-keys`, ada.key), 404, 'USER_NOT_FOUND');
      const otherUser = expectProblem(await call('GET', `/users/${bob.id}/api-keys`, ada.key), 404, 'USER_NOT_FOUND');
      expect(otherUser.detail.replace(bob.id, NO_SUCH_ID)).toBe(missingUser.detail);
      expectProblem(await call('DELETE', `/users/me/api-keys/${bob.keyId}`, ada.key), 404, 'API_KEY_NOT_FOUND');
      expectProblem(await call('DELETE', `/users/${ada.id}/api-keys/${bob.keyId}`, ada.key), 404, 'API_KEY_NOT_FOUND');
      expect((await call('GET', '/users/me', bob.key)).statusCode).toBe(200);
      // Their own id works the same as /me.
      expect((await call('GET', `/users/${ada.id}/api-keys`, ada.key)).json().items).toHaveLength(1);
      expectProblem(await call('GET', `/users/${NO_SUCH_ID}/api-keys`, ADMIN_KEY), 404, 'USER_NOT_FOUND');
      expectProblem(await call('POST', `/users/${NO_SUCH_ID}/api-keys`, ADMIN_KEY, { name: 'x' }), 404, 'USER_NOT_FOUND');
    });
  });

  describe('audit', () => {
    it('records every admin action with actor, key, request id and IP, in the same transaction as the change', async () => {
      const admin = await createUser(app(), { role: 'admin' });
      await resetAudit(app());
      const requestId = 'audit-trail-1';
      const created = await app().inject({ method: 'POST', url: '/users', headers: { ...bearer(admin.key), 'x-request-id': requestId }, payload: { email: 'lin@example.com', name: 'Lin' } });
      const lin = created.json();
      await call('PATCH', `/users/${lin.id}`, admin.key, { role: 'admin' });
      await call('PATCH', `/users/${lin.id}`, admin.key, { status: 'disabled' });
      await call('PATCH', `/users/${lin.id}`, admin.key, { name: 'Lin Y' });
      const key = (await call('POST', `/users/${lin.id}/api-keys`, admin.key, { name: 'ci' })).json();
      await call('DELETE', `/users/${lin.id}/api-keys/${key.id}`, admin.key);
      await call('PATCH', `/users/${lin.id}`, admin.key, { status: 'active' });
      // A change that fails leaves no trace in the trail.
      await call('POST', '/users', admin.key, { email: 'LIN@example.com', name: 'Dup' });
      await call('DELETE', `/users/${lin.id}`, admin.key);

      const trail = (await call('GET', '/audit?limit=100', ADMIN_KEY)).json().items.reverse();
      expect(trail.map((event: { action: string }) => event.action)).toEqual([
        'user.created',
        'user.role_changed',
        'user.disabled',
        'user.updated',
        'api_key.created',
        'api_key.revoked',
        'user.enabled',
        'user.deleted',
      ]);
      for (const event of trail) expect(event).toMatchObject({ actorId: admin.id, actorKeyId: admin.keyId, ip: '127.0.0.1' });
      expect(trail[0]).toMatchObject({ requestId, targetType: 'user', targetId: lin.id, details: { email: 'lin@example.com', role: 'member' } });
      expect(trail[1].details).toEqual({ from: 'member', to: 'admin' });
      expect(trail[3].details).toEqual({ name: { from: 'Lin', to: 'Lin Y' } });
      expect(trail[4]).toMatchObject({ targetType: 'api_key', targetId: key.id, details: { userId: lin.id, name: 'ci', scopes: ['*'] } });
    });

    it('writes one event per kind of change a single update makes', async () => {
      const ada = await createUser(app());
      await resetAudit(app());
      await app().inject({ method: 'PATCH', url: `/users/${ada.id}`, headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'combined' }, payload: { role: 'admin', status: 'disabled', name: 'Ada L' } });
      const events = (await call('GET', '/audit', ADMIN_KEY)).json().items;
      expect(events.map((event: { action: string }) => event.action).sort()).toEqual(['user.disabled', 'user.role_changed', 'user.updated']);
      for (const event of events) expect(event).toMatchObject({ requestId: 'combined', targetId: ada.id });
      // An update that changes nothing records nothing.
      await call('PATCH', `/users/${ada.id}`, ADMIN_KEY, { name: 'Ada L' });
      expect((await call('GET', '/audit', ADMIN_KEY)).json().items).toHaveLength(3);
    });

    it('filters by actor, action (exact or prefix) and time, with cursor pages', async () => {
      const admin = await createUser(app(), { role: 'admin' });
      const before = new Date().toISOString();
      for (let i = 0; i < 3; i++) await call('POST', '/users', admin.key, { email: `f${i}@example.com`, name: `F${i}` });
      const byActor = (await call('GET', `/audit?actorId=${admin.id}&limit=2`, ADMIN_KEY)).json();
      expect(byActor.items).toHaveLength(2);
      const rest = (await call('GET', `/audit?actorId=${admin.id}&limit=2&cursor=${byActor.nextCursor}`, ADMIN_KEY)).json();
      expect(rest).toMatchObject({ nextCursor: null });
      expect(rest.items).toHaveLength(1);
      const created = (await call('GET', '/audit?action=user.created', ADMIN_KEY)).json().items;
      expect(created.length).toBe(4); // the admin made by the fixture, and three
      const keys = (await call('GET', '/audit?action=api_key.*', ADMIN_KEY)).json().items;
      expect(keys.map((event: { action: string }) => event.action)).toEqual(['api_key.created']);
      const since = (await call('GET', `/audit?from=${encodeURIComponent(before)}`, ADMIN_KEY)).json().items;
      expect(since.map((event: { actorId: string }) => event.actorId)).toEqual([admin.id, admin.id, admin.id]);
      expect((await call('GET', `/audit?to=${encodeURIComponent(before)}&action=user.*`, ADMIN_KEY)).json().items).toHaveLength(1);
      expectProblem(await call('GET', '/audit?action=DROP%20TABLE', ADMIN_KEY), 400, 'VALIDATION_FAILED');
    });
  });
});

async function resetAudit(app: NestFastifyApplication): Promise<void> {
  await app.get(DataSource).query('DELETE FROM audit_events');
}

describe('client IPs behind a proxy (TRUST_PROXY)', () => {
  it('takes the client IP from X-Forwarded-For only when told to trust the proxy', async () => {
    for (const [trust, expected] of [['true', '203.0.113.7'], ['false', '127.0.0.1']] as const) {
      const proxied = await createTestApp({ env: { API_KEY: ADMIN_KEY, TRUST_PROXY: trust } });
      try {
        await resetState(proxied);
        const response = await proxied.inject({
          method: 'POST',
          url: '/users',
          headers: { ...bearer(ADMIN_KEY), 'x-forwarded-for': '203.0.113.7' },
          payload: { email: `ip-${trust}@example.com`, name: 'Ip' },
        });
        expect(response.statusCode).toBe(201);
        const [event] = (await proxied.inject({ method: 'GET', url: '/audit?action=user.created', headers: bearer(ADMIN_KEY) })).json().items;
        expect(event.ip).toBe(expected);
      } finally {
        await proxied.close();
      }
    }
  });
});
