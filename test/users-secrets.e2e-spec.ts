import { jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseEnv, ServerProcess } from './support/server-process.js';
import { createTestApp, onPostgres } from './support/test-app.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const KEY_FORMAT = /^mcpa_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}$/;

describe('API key secrets never reach logs or later responses (built server, over HTTP)', () => {
  jest.setTimeout(90_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcpa-secrets-'));
    if (onPostgres) {
      // Creates this worker's database (and migrates it) if no suite did yet.
      const app = await createTestApp();
      await app.close();
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps API_KEY, issued keys, their secret part and their hash out of stdout, stderr and every later answer', async () => {
    const adminKey = `admin-${randomBytes(24).toString('hex')}`;
    server = new ServerProcess({ ...databaseEnv(dataDir), LOG_LEVEL: 'debug', API_KEY: adminKey });
    const url = await server.listening();

    const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text(), path };
    };
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const xApiKey = (key: string) => ({ 'x-api-key': key });

    // Set-up, as an operator would: a user, then a key for them.
    const email = `secrets-${randomBytes(6).toString('hex')}@example.com`;
    const created = await call('POST', '/users', bearer(adminKey), { email, name: 'Secrets', role: 'member' });
    expect({ status: created.status, body: created.text }).toMatchObject({ status: 201 });
    const userId: string = JSON.parse(created.text).id;

    const issued = await call('POST', `/users/${userId}/api-keys`, xApiKey(adminKey), { name: 'secret test' });
    expect({ status: issued.status, body: issued.text }).toMatchObject({ status: 201 });
    const { key, id: keyId } = JSON.parse(issued.text) as { key: string; id: string };
    expect(key).toMatch(KEY_FORMAT);
    const secretPart = key.slice('mcpa_'.length + 12 + 1);
    expect(secretPart).toHaveLength(40);
    const keyHash = sha256(key);
    const secrets: Record<string, string> = { adminKey, adminKeyHash: sha256(adminKey), key, secretPart, keyHash };

    // Every answer after the one that issued the key.
    const later: Array<{ status: number; text: string; path: string }> = [];
    const record = async (response: Promise<{ status: number; text: string; path: string }>) => {
      const result = await response;
      later.push(result);
      return result;
    };

    const viaBearer = await record(call('GET', '/users/me', bearer(key)));
    expect(viaBearer.status).toBe(200);
    expect(JSON.parse(viaBearer.text)).toMatchObject({ id: userId, email, role: 'member' });
    const viaHeader = await record(call('GET', '/users/me', xApiKey(key)));
    expect(viaHeader.status).toBe(200);
    expect(JSON.parse(viaHeader.text)).toMatchObject({ id: userId });

    const myKeys = await record(call('GET', '/users/me/api-keys', bearer(key)));
    expect(myKeys.status).toBe(200);
    expect(JSON.parse(myKeys.text).items).toEqual([expect.objectContaining({ id: keyId, status: 'active', prefix: key.slice(0, 17) })]);
    expect((await record(call('GET', `/users/${userId}/api-keys`, bearer(adminKey)))).status).toBe(200);

    // A well-formed key that was never issued, a malformed one, and a near miss of the real one.
    const forged = `mcpa_${'A'.repeat(12)}_${'b'.repeat(40)}`;
    expect((await record(call('GET', '/users/me', bearer(forged)))).status).toBe(401);
    expect((await record(call('GET', '/users/me', xApiKey('not-a-key-at-all')))).status).toBe(401);
    const nearMiss = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    expect((await record(call('GET', '/users/me', bearer(nearMiss)))).status).toBe(401);

    expect((await record(call('DELETE', `/users/me/api-keys/${keyId}`, xApiKey(key)))).status).toBe(204);
    const afterRevoke = await record(call('GET', '/users/me', bearer(key)));
    expect(afterRevoke.status).toBe(401);
    expect(JSON.parse(afterRevoke.text)).toMatchObject({ code: 'API_KEY_REVOKED' });
    expect((await record(call('GET', '/users/me', xApiKey(key)))).status).toBe(401);

    const keysAfter = await record(call('GET', `/users/${userId}/api-keys`, bearer(adminKey)));
    expect(keysAfter.status).toBe(200);
    expect(JSON.parse(keysAfter.text).items).toEqual([expect.objectContaining({ id: keyId, status: 'revoked' })]);
    const audit = await record(call('GET', '/audit?limit=100', bearer(adminKey)));
    expect(audit.status).toBe(200);
    const actions = (JSON.parse(audit.text).items as Array<{ action: string; targetId: string }>).filter((event) => event.targetId === keyId).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
    // The audit trail names the key by its prefix, which is not secret.
    expect(audit.text).toContain(key.slice(0, 17));

    for (const response of later) {
      for (const [name, secret] of Object.entries(secrets)) {
        expect({ path: response.path, status: response.status, [name]: response.text.includes(secret) }).toEqual({
          path: response.path,
          status: response.status,
          [name]: false,
        });
      }
    }

    // Let the last access lines flush, then stop the server so everything it would ever print is captured.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);

    const output = [...server.stdout, ...server.stderr].join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ [name]: output.includes(secret) }).toEqual({ [name]: false });
    }

    // The log is not silent: every request above has its access line, which names the request but carries none of
    // its credential headers.
    const accessLines = server.logs().filter((line) => line.msg === 'request completed');
    const meLines = accessLines.filter((line) => line.req?.url === '/users/me');
    expect(meLines.map((line) => line.res.statusCode).sort()).toEqual([200, 200, 401, 401, 401, 401, 401]);
    for (const line of meLines) expect(line.req.headers).toBeUndefined();
    const urls = accessLines.map((line) => `${line.req.method} ${line.req.url} ${line.res.statusCode}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'POST /users 201',
        `POST /users/${userId}/api-keys 201`,
        'GET /users/me/api-keys 200',
        `GET /users/${userId}/api-keys 200`,
        `DELETE /users/me/api-keys/${keyId} 204`,
        'GET /audit?limit=100 200',
      ]),
    );
  });
});
