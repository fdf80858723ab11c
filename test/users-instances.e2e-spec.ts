import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProbeController } from './support/probe.controller.js';
import { closedPort } from './support/tcp-proxy.js';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

const get = (app: NestFastifyApplication, url: string, key?: string) =>
  app.inject({ method: 'GET', url, headers: key ? bearer(key) : {} });

describe('rate limiting', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' }, controllers: [ProbeController] });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await resetState(app);
  });

  it('answers 429 with Retry-After once a key spends its budget, and counts each key apart', async () => {
    // The built-in admin has a budget of its own; the fixture spends two of its three requests.
    const ada = await createUser(app);
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await get(app, '/users/me', ada.key));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 429]);
    expect(responses[0].headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2' });
    const limited = responses[3];
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await get(app, '/users/me', ADMIN_KEY)).statusCode).toBe(200);
  });

  it('limits anonymous callers by IP and never limits the health probes', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(app, '/probe/list')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 10; i++) expect((await get(app, '/health/live')).statusCode).toBe(200);
    const otherClient = await app.inject({ method: 'GET', url: '/probe/list', remoteAddress: '198.51.100.9' });
    expect(otherClient.statusCode).toBe(200);
  });
});

describe('a dead Redis', () => {
  it('costs the cache, not authentication or rate limits, and holds no request', async () => {
    const app = await createTestApp({
      env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '5', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
    });
    try {
      await resetState(app);
      const ada = await createUser(app);
      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(app, '/users/me', ada.key)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await app.inject({ method: 'DELETE', url: `/users/${ada.id}/api-keys/${ada.keyId}`, headers: bearer(ADMIN_KEY) })).statusCode).toBe(204);
      expect((await get(app, '/users/me', ada.key)).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

// Two instances only share state through Redis: the embedded mode is a single instance by design.
(onPostgres ? describe : describe.skip)('two instances on one Postgres and Redis', () => {
  let first: NestFastifyApplication;
  let second: NestFastifyApplication;
  const env = { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_SECONDS: '60', AUTH_CACHE_TTL_SECONDS: '300' };

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });
  beforeEach(async () => {
    await resetState(first);
  });

  it('refuses a key revoked on one instance on the very next request to the other', async () => {
    const ada = await createUser(first);
    // Both instances have the key cached (for five minutes) before it is revoked.
    expect((await get(first, '/users/me', ada.key)).statusCode).toBe(200);
    expect((await get(second, '/users/me', ada.key)).statusCode).toBe(200);
    const revoked = await first.inject({ method: 'DELETE', url: `/users/me/api-keys/${ada.keyId}`, headers: bearer(ada.key) });
    expect(revoked.statusCode).toBe(204);
    const refused = await get(second, '/users/me', ada.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('API_KEY_REVOKED');
  });

  it('sees a user disabled on one instance as disabled on the other at once', async () => {
    const ada = await createUser(first);
    expect((await get(second, '/users/me', ada.key)).statusCode).toBe(200);
    await first.inject({ method: 'PATCH', url: `/users/${ada.id}`, headers: bearer(ADMIN_KEY), payload: { status: 'disabled' } });
    expect((await get(second, '/users/me', ada.key)).json().code).toBe('USER_DISABLED');
  });

  it('shares one rate-limit budget between the instances', async () => {
    const ada = await createUser(first);
    const statuses = [];
    for (const app of [first, second, first, second, first, second]) statuses.push((await get(app, '/users/me', ada.key)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
