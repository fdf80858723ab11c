import { DataSource } from 'typeorm';
import { ApiKey, AuditEvent, issueApiKey, User } from '@app/users';
import { mode, useTestApp } from './support/test-app.js';

describe(`users schema (${mode})`, () => {
  const app = useTestApp({ reset: true });
  let dataSource: DataSource;

  beforeAll(() => {
    dataSource = app().get(DataSource);
  });

  const createUser = (email: string, role: User['role'] = 'member') =>
    dataSource.getRepository(User).save({ email, name: email.split('@')[0], role });

  it('keeps emails unique regardless of case', async () => {
    await createUser('Ada@Example.com');
    await expect(createUser('ada@example.COM')).rejects.toMatchObject({ driverError: { code: '23505' } });
  });

  it('refuses unknown roles and statuses', async () => {
    await expect(dataSource.query(`INSERT INTO users (email, name, role) VALUES ('x@y.z', 'x', 'root')`)).rejects.toMatchObject({ code: '23514' });
  });

  it('stores a key as prefix and hash with its scopes, and drops keys with their user', async () => {
    const user = await createUser('grace@example.com', 'admin');
    const issued = issueApiKey();
    const keys = dataSource.getRepository(ApiKey);
    await keys.save({ userId: user.id, name: 'ci', prefix: issued.prefix, secretHash: issued.secretHash, scopes: ['tools:read', 'tools:invoke'] });
    const stored = await keys.findOneByOrFail({ prefix: issued.prefix });
    expect(stored.scopes).toEqual(['tools:read', 'tools:invoke']);
    expect(stored.secretHash).toBeUndefined(); // select: false keeps it out of ordinary reads
    const [raw] = await dataSource.query(`SELECT * FROM api_keys`);
    expect(raw.secret_hash).toBe(issued.secretHash);
    expect(JSON.stringify(raw)).not.toContain(issued.key);

    await dataSource.getRepository(User).delete(user.id);
    expect(await keys.count()).toBe(0);
  });

  it('keeps audit details as JSON', async () => {
    const events = dataSource.getRepository(AuditEvent);
    const saved = await events.save({ action: 'user.created', targetType: 'user', targetId: 'u-1', details: { role: 'member', nested: { ok: true } } });
    expect((await events.findOneByOrFail({ id: saved.id })).details).toEqual({ role: 'member', nested: { ok: true } });
  });
});
