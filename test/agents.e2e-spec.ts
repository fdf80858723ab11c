import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function expectStatus(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.body ? response.json() : undefined;
}

describe('agents', () => {
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' } });
  const call = (method: string, url: string, key: string, payload?: unknown) =>
    app().inject({ method: method as 'GET', url, headers: bearer(key), payload: payload as object });

  const createAgent = async (payload: Record<string, unknown>) =>
    expectStatus(await call('POST', '/agents', ADMIN_KEY, { model: 'openai:gpt-4o-mini', ...payload }), 201);
  const count = async (table: string) => (await app().get(DataSource).query(`SELECT count(*)::int AS count FROM ${table}`))[0].count;

  describe('definitions', () => {
    it('creates, reads, pages, changes and deletes agents; only admins write them', async () => {
      const member = await createUser(app());
      const created = await createAgent({ name: 'researcher', systemPrompt: 'Be brief.', tools: ['calculator', 'date*'], modelParameters: { temperature: 0.2, maxTokens: 500 } });
      expect(created).toMatchObject({ name: 'researcher', kind: 'single', members: [], maxSteps: 10, timeoutMs: 120000, version: 1, tools: ['calculator', 'date*'], modelParameters: { temperature: 0.2, maxTokens: 500 } });
      await createAgent({ name: 'writer' });

      const page = expectStatus(await call('GET', '/agents?limit=1', member.key), 200);
      expect(page.items.map((agent: { name: string }) => agent.name)).toEqual(['writer']);
      const next = expectStatus(await call('GET', `/agents?limit=1&cursor=${page.nextCursor}`, member.key), 200);
      expect(next).toMatchObject({ items: [{ name: 'researcher' }], nextCursor: null });
      expect(expectStatus(await call('GET', '/agents?q=RESEARCH', member.key), 200).items).toHaveLength(1);
      expect(expectStatus(await call('GET', `/agents/${created.id}`, member.key), 200).systemPrompt).toBe('Be brief.');

      const changed = expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { maxSteps: 4, tools: ['calculator'] }), 200);
      expect(changed).toMatchObject({ maxSteps: 4, tools: ['calculator'], version: 2 });
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { maxSteps: 4 }), 200).version).toBe(2);
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, ADMIN_KEY, { name: 'writer' }), 409).code).toBe('AGENT_EXISTS');

      expect(expectStatus(await call('POST', '/agents', member.key, { name: 'mine', model: 'openai:gpt-4o' }), 403).code).toBe('ROLE_REQUIRED');
      expect(expectStatus(await call('PATCH', `/agents/${created.id}`, member.key, { maxSteps: 1 }), 403).code).toBe('ROLE_REQUIRED');
      expectStatus(await call('DELETE', `/agents/${created.id}`, ADMIN_KEY), 204);
      expect(expectStatus(await call('GET', `/agents/${created.id}`, member.key), 404).code).toBe('AGENT_NOT_FOUND');
      expectStatus(await call('GET', '/agents/not-a-uuid', member.key), 400);

      const audit = expectStatus(await call('GET', '/audit?action=agent.*', ADMIN_KEY), 200).items;
      expect(audit.map((event: { action: string }) => event.action)).toEqual(['agent.deleted', 'agent.updated', 'agent.created', 'agent.created']);
      expect(audit[1].details.changes).toEqual({ maxSteps: { from: 10, to: 4 }, tools: { from: ['calculator', 'date*'], to: ['calculator'] } });
    });

    it('refuses bad definitions with a pointer per field, and a taken name with 409', async () => {
      await createAgent({ name: 'taken' });
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'taken', model: 'openai:gpt-4o' }), 409).code).toBe('AGENT_EXISTS');
      const unknownProvider = expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'x', model: 'mistral:large' }), 400);
      expect(unknownProvider.errors).toEqual([{ pointer: '/model', message: expect.stringContaining('one of openai, anthropic, ollama') }]);
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'x', model: 'gpt-4o' }), 400).errors[0].pointer).toBe('/model');
      const invalid = expectStatus(
        await call('POST', '/agents', ADMIN_KEY, { name: 'has.dot', model: 'openai:', maxSteps: 0, tools: ['bad name!'], kind: 'swarm', members: ['nope'], modelParameters: { temperature: 3 } }),
        400,
      );
      expect(invalid.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/kind', '/maxSteps', '/members', '/model', '/modelParameters/temperature', '/name', '/tools']);
      expect(await count('agents')).toBe(1);
    });

    it('keeps coordinators to existing members and refuses cycles, and members in use', async () => {
      const worker = await createAgent({ name: 'worker' });
      const helper = await createAgent({ name: 'helper' });
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'lone', model: 'openai:x', members: [worker.id] }), 400).errors[0].pointer).toBe('/members');
      expect(expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'empty', model: 'openai:x', kind: 'supervisor' }), 400).errors[0].pointer).toBe('/members');
      const ghost = '00000000-0000-4000-8000-00000000dead';
      const missing = expectStatus(await call('POST', '/agents', ADMIN_KEY, { name: 'ghosts', model: 'openai:x', kind: 'parallel', members: [worker.id, ghost] }), 400);
      expect(missing.errors).toEqual([{ pointer: '/members/1', message: `no agent has id ${ghost}` }]);

      const boss = await createAgent({ name: 'boss', kind: 'supervisor', members: [worker.id, helper.id] });
      const team = await createAgent({ name: 'team', kind: 'sequential', members: [boss.id] });
      // worker → team → boss → worker would delegate in a circle.
      const cycle = expectStatus(await call('PATCH', `/agents/${worker.id}`, ADMIN_KEY, { kind: 'supervisor', members: [team.id] }), 409);
      expect(cycle).toMatchObject({ code: 'AGENT_CYCLE', detail: expect.stringContaining('worker → team → boss → worker') });
      expect(expectStatus(await call('PATCH', `/agents/${boss.id}`, ADMIN_KEY, { members: [boss.id] }), 409).code).toBe('AGENT_CYCLE');
      expect(expectStatus(await call('GET', `/agents/${worker.id}`, ADMIN_KEY), 200)).toMatchObject({ kind: 'single', version: 1 });

      const inUse = expectStatus(await call('DELETE', `/agents/${worker.id}`, ADMIN_KEY), 409);
      expect(inUse).toMatchObject({ code: 'AGENT_IN_USE', detail: expect.stringContaining('boss') });
      expectStatus(await call('PATCH', `/agents/${boss.id}`, ADMIN_KEY, { members: [helper.id] }), 200);
      expectStatus(await call('DELETE', `/agents/${worker.id}`, ADMIN_KEY), 204);
    });
  });
});
