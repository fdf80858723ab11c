import { jest } from '@jest/globals';
import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ConversationExportService, ConversationsService, HistoryRecorder, SessionContextService } from '@app/history';
import { ApiKeyAuthenticator } from '@app/users';
import { RedisService } from '@app/core';
import { onPostgres, useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser, TestUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function expectStatus(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.body ? response.json() : undefined;
}

describe('history', () => {
  const principalOf = (user: TestUser) => app().get(ApiKeyAuthenticator).authenticate(user.key);
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0' } });
  const call = (method: string, url: string, key: string, payload?: unknown) =>
    app().inject({ method: method as 'GET', url, headers: bearer(key), payload: payload as object });

  let ada: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    ada = await createUser(app());
    bob = await createUser(app());
  });

  const startConversation = async (user: TestUser, title = 'Chat') => expectStatus(await call('POST', '/conversations', user.key, { title }), 201);
  const say = async (user: TestUser, id: string, content: string, role = 'user') =>
    expectStatus(await call('POST', `/conversations/${id}/messages`, user.key, { role, content }), 201);

  describe('conversations and messages', () => {
    it('creates, lists, renames and deletes conversations, messages going with them', async () => {
      const chat = await startConversation(ada, 'Quarterly report');
      expect(chat).toMatchObject({ userId: ada.id, title: 'Quarterly report', messageCount: 0, lastMessageAt: null, metadata: {} });
      await say(ada, chat.id, 'hello');
      const renamed = expectStatus(await call('PATCH', `/conversations/${chat.id}`, ada.key, { title: 'Q3', metadata: { pinned: true } }), 200);
      expect(renamed).toMatchObject({ title: 'Q3', metadata: { pinned: true }, messageCount: 1 });
      expect(renamed.lastMessageAt).not.toBeNull();
      expect(expectStatus(await call('GET', '/conversations', ada.key), 200).items.map((c: { id: string }) => c.id)).toEqual([chat.id]);
      expectStatus(await call('DELETE', `/conversations/${chat.id}`, ada.key), 204);
      expectStatus(await call('GET', `/conversations/${chat.id}`, ada.key), 404);
      const [{ count }] = await app().get(DataSource).query('SELECT count(*)::int AS count FROM messages');
      expect(count).toBe(0);
    });

    it('numbers concurrent appends 1..n with no gaps and pages through them oldest first', async () => {
      const chat = await startConversation(ada);
      const appended = await Promise.all(Array.from({ length: 25 }, (_, i) => say(ada, chat.id, `m${i}`)));
      expect(appended.map((m: { sequence: number }) => m.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { sequence: number }[]; nextCursor: string | null } = expectStatus(
          await call('GET', `/conversations/${chat.id}/messages?limit=10${cursor ? `&cursor=${cursor}` : ''}`, ada.key),
          200,
        );
        seen.push(...page.items.map((m) => m.sequence));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(expectStatus(await call('GET', `/conversations/${chat.id}`, ada.key), 200).messageCount).toBe(25);
      expectStatus(await call('GET', `/conversations/${chat.id}/messages?cursor=bogus`, ada.key), 400);
    });

    it('numbers a batch of messages in order, with single appends racing it, and keeps what each carries', async () => {
      const chat = await startConversation(ada);
      const principal = await principalOf(ada);
      const toolCalls = [{ id: 'call_1', name: 'calculator', args: { expression: '1 + 1' } }];
      const batch = [
        { role: 'assistant' as const, content: '', toolCalls, tokenUsage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
        // A lone surrogate (valid JSON in a request) is kept as U+FFFD, as in a single append, not refused by the database.
        { role: 'tool' as const, content: 'half \ud800 a pair', toolCallId: 'call_1' },
      ];
      const [appended] = await Promise.all([
        app().get(ConversationsService).appendAll(principal, chat.id, batch),
        ...Array.from({ length: 4 }, (_, i) => say(ada, chat.id, `m${i}`)),
      ]);
      expect(appended[1].sequence).toBe(appended[0].sequence + 1);
      const { items } = expectStatus(await call('GET', `/conversations/${chat.id}/messages`, ada.key), 200);
      expect(items.map((m: { sequence: number }) => m.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      const [assistant, tool] = items.filter((m: { sequence: number }) => m.sequence >= appended[0].sequence).slice(0, 2);
      expect(assistant).toMatchObject({ role: 'assistant', content: '', toolCalls, tokenUsage: batch[0].tokenUsage, toolCallId: null });
      expect(tool).toMatchObject({ role: 'tool', content: 'half \ufffd a pair', toolCallId: 'call_1', toolCalls: null, tokenUsage: null });
    });

    it('pages conversations with no duplicates and no gaps while others are being created', async () => {
      for (let i = 0; i < 12; i++) await startConversation(ada, `c${i}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const [page]: [{ items: { title: string }[]; nextCursor: string | null }, unknown] = await Promise.all([
          call('GET', `/conversations?limit=5${cursor ? `&cursor=${cursor}` : ''}`, ada.key).then((r) => expectStatus(r, 200)),
          startConversation(ada, 'late'),
        ]);
        seen.push(...page.items.map((c: { title: string }) => c.title));
        cursor = page.nextCursor;
      } while (cursor);
      const early = seen.filter((title) => title !== 'late');
      expect(early).toEqual(Array.from({ length: 12 }, (_, i) => `c${11 - i}`));
      expect(new Set(seen.filter((t) => t === 'late')).size).toBeLessThanOrEqual(1);
    });

    it('validates messages and names the failing field', async () => {
      const chat = await startConversation(ada);
      const bad = await call('POST', `/conversations/${chat.id}/messages`, ada.key, { role: 'robot', content: 1, toolCalls: [{ id: 'x' }] });
      const body = expectStatus(bad, 400);
      expect(body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/role', '/content', '/toolCalls/0/name']));
    });
  });

  describe('ownership', () => {
    it("answers 404 for another user's conversation on every route, and keeps their invocations out of lists", async () => {
      const chat = await startConversation(ada);
      await say(ada, chat.id, 'private');
      for (const [method, url, payload] of [
        ['GET', `/conversations/${chat.id}`],
        ['PATCH', `/conversations/${chat.id}`, { title: 'mine now' }],
        ['DELETE', `/conversations/${chat.id}`],
        ['GET', `/conversations/${chat.id}/messages`],
        ['POST', `/conversations/${chat.id}/messages`, { role: 'user', content: 'hi' }],
        ['GET', `/conversations/${chat.id}/export`],
        ['GET', `/conversations/${chat.id}/export?format=ndjson`],
      ] as const) {
        const response = await call(method, url, bob.key, payload);
        expect({ url, method, status: response.statusCode }).toEqual({ url, method, status: 404 });
        expect(response.json().code).toBe('CONVERSATION_NOT_FOUND');
      }
      expect(expectStatus(await call('GET', '/conversations', bob.key), 200).items).toEqual([]);
      expectStatus(await call('GET', `/conversations?userId=${ada.id}`, bob.key), 403);

      const recorder = app().get(HistoryRecorder);
      recorder.record({ userId: ada.id, toolName: 'calculator', source: 'rest', arguments: {}, status: 'ok', durationMs: 3 });
      await recorder.flush();
      expect(expectStatus(await call('GET', '/tool-invocations', bob.key), 200).items).toEqual([]);
      expectStatus(await call('GET', `/tool-invocations?userId=${ada.id}`, bob.key), 403);
      expect(expectStatus(await call('GET', `/tool-invocations?userId=${ada.id}`, ADMIN_KEY), 200).items).toHaveLength(1);
      expect(expectStatus(await call('GET', `/conversations/${chat.id}`, ADMIN_KEY), 200).id).toBe(chat.id);
    });
  });

  describe('tool invocations', () => {
    it('records in batches, redacts secrets, truncates big results and filters the list', async () => {
      const recorder = app().get(HistoryRecorder);
      const chat = await startConversation(ada);
      const base = { userId: ada.id, durationMs: 5 };
      recorder.record({ ...base, toolName: 'http_request', source: 'rest', arguments: { url: 'https://x', headers: { Authorization: 'Bearer s3cret' } }, status: 'ok', result: { body: 'x'.repeat(40_000) } });
      recorder.record({ ...base, toolName: 'calculator', source: 'mcp', arguments: { expression: '1/0' }, status: 'error', errorCode: 'TOOL_FAILED', errorMessage: 'division by zero' });
      recorder.record({ ...base, toolName: 'calculator', source: 'agent', conversationId: chat.id, arguments: { expression: '2+2' }, status: 'ok', result: 4, cached: true });
      expect(recorder.pending).toBe(3);
      await recorder.flush();
      expect(recorder.pending).toBe(0);

      const all = expectStatus(await call('GET', '/tool-invocations', ada.key), 200).items;
      expect(all.map((i: { toolName: string }) => i.toolName)).toEqual(['calculator', 'calculator', 'http_request']);
      const http = all[2];
      expect(http.arguments).toEqual({ url: 'https://x', headers: { Authorization: '[redacted]' } });
      expect(http.result).toMatchObject({ truncated: true });
      expect(JSON.stringify(all)).not.toContain('s3cret');
      const query = async (q: string) => expectStatus(await call('GET', `/tool-invocations?${q}`, ada.key), 200).items.length;
      expect(await query('tool=calculator')).toBe(2);
      expect(await query('status=error')).toBe(1);
      expect(await query('source=agent')).toBe(1);
      expect(await query(`conversationId=${chat.id}`)).toBe(1);
      expect(await query(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toBe(0);
      expectStatus(await call('GET', '/tool-invocations?status=weird', ada.key), 400);
    });

    it('writes a batch as soon as it is full, without waiting for the interval', async () => {
      const recorder = app().get(HistoryRecorder);
      for (let i = 0; i < 500; i++) recorder.record({ userId: ada.id, toolName: 't', source: 'rest', arguments: { i }, status: 'ok', durationMs: 1 });
      await recorder.flush();
      const [{ count }] = await app().get(DataSource).query('SELECT count(*)::int AS count FROM tool_invocations');
      expect(count).toBe(500);
    });
  });

  describe('export', () => {
    it('exports JSON and NDJSON', async () => {
      const chat = await startConversation(ada, 'Export me');
      await say(ada, chat.id, 'one');
      await say(ada, chat.id, 'two', 'assistant');
      const json = await call('GET', `/conversations/${chat.id}/export`, ada.key);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.headers['content-disposition']).toBe(`attachment; filename="conversation-${chat.id}.json"`);
      const document = json.json();
      expect(document.conversation).toMatchObject({ id: chat.id, title: 'Export me', messageCount: 2 });
      expect(document.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'two']);
      const ndjson = await call('GET', `/conversations/${chat.id}/export?format=ndjson`, ada.key);
      expect(ndjson.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = ndjson.body.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((line) => line.type)).toEqual(['conversation', 'message', 'message']);
      expect(lines[2].message).toMatchObject({ sequence: 2, role: 'assistant', content: 'two' });
      const empty = await startConversation(ada, 'Empty');
      expect((await call('GET', `/conversations/${empty.id}/export`, ada.key)).json().messages).toEqual([]);
    });

    it('renders a conversation as markdown for people and MCP resources', async () => {
      const chat = await startConversation(ada, 'Trip plan');
      await say(ada, chat.id, 'How far is it?');
      await app().inject({
        method: 'POST',
        url: `/conversations/${chat.id}/messages`,
        headers: bearer(ada.key),
        payload: { role: 'assistant', content: 'Let me compute.', toolCalls: [{ id: 'call-1', name: 'calculator', args: { expression: '5 km to mile' } }] },
      });
      await app().inject({ method: 'POST', url: `/conversations/${chat.id}/messages`, headers: bearer(ada.key), payload: { role: 'tool', content: '3.1 mile', toolCallId: 'call-1' } });
      const markdown = await app().get(ConversationExportService).renderMarkdown((await principalOf(ada)), chat.id);
      expect(markdown).toMatch(/^# Trip plan\n/);
      expect(markdown).toMatch(/## user · \S+\n\nHow far is it\?/);
      expect(markdown).toContain('- calls `calculator` (call-1): `{"expression":"5 km to mile"}`');
      expect(markdown).toMatch(/## tool \(call-1\) · \S+\n\n3\.1 mile/);
      await expect(app().get(ConversationExportService).renderMarkdown(await principalOf(bob), chat.id)).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    });

    it('streams a 10,000-message conversation page by page as the client reads it', async () => {
      jest.setTimeout(60_000);
      const chat = await startConversation(ada, 'Long');
      const dataSource = app().get(DataSource);
      await dataSource.query(
        `INSERT INTO messages (conversation_id, sequence, role, content)
         SELECT $1, n, 'user', 'message ' || n || ' ' || repeat('x', 2000) FROM generate_series(1, 10000) AS n`,
        [chat.id],
      );
      await dataSource.query('UPDATE conversations SET last_sequence = 10000 WHERE id = $1', [chat.id]);
      const service = app().get(ConversationsService);
      const pageReads = jest.spyOn(service as unknown as { messagesAfter: () => unknown }, 'messagesAfter');
      await app().listen(0, '127.0.0.1');
      try {
        const response = await fetch(`${await app().getUrl()}/conversations/${chat.id}/export?format=ndjson`, { headers: bearer(ada.key) });
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let text = decoder.decode((await reader.read()).value, { stream: true });
        // 20 MB in pages of 500 messages (~1 MB): with the client reading nothing more, the server stops once the socket
        // and stream buffers are full, far short of all 20 pages.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(pageReads.mock.calls.length).toBeLessThan(12);
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
        const lines = text.trim().split('\n');
        expect(lines).toHaveLength(10_001);
        const last = JSON.parse(lines.at(-1)!);
        expect(last.message.sequence).toBe(10_000);
        expect(pageReads.mock.calls.length).toBe(21);
      } finally {
        pageReads.mockRestore();
      }
    });
  });

  describe('erasure', () => {
    it('erases everything of the caller and nothing of anyone else', async () => {
      const recorder = app().get(HistoryRecorder);
      for (const user of [ada, bob]) {
        const chat = await startConversation(user);
        await say(user, chat.id, 'a');
        await say(user, chat.id, 'b');
        recorder.record({ userId: user.id, toolName: 'calculator', source: 'rest', arguments: {}, status: 'ok', durationMs: 1 });
      }
      // Ada's invocation may still be in the buffer: erasure must catch it too.
      const erased = expectStatus(await call('DELETE', '/users/me/history', ada.key), 200);
      expect(erased).toEqual({ conversations: 1, messages: 2, toolInvocations: 1 });
      await recorder.flush();
      const dataSource = app().get(DataSource);
      const left = async (userId: string) =>
        (
          await dataSource.query(
            `SELECT (SELECT count(*)::int FROM conversations WHERE user_id = $1) AS conversations,
                    (SELECT count(*)::int FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = $1) AS messages,
                    (SELECT count(*)::int FROM tool_invocations WHERE user_id = $1) AS invocations`,
            [userId],
          )
        )[0];
      expect(await left(ada.id)).toEqual({ conversations: 0, messages: 0, invocations: 0 });
      expect(await left(bob.id)).toEqual({ conversations: 1, messages: 2, invocations: 1 });
      const [event] = expectStatus(await call('GET', '/audit?action=history.erased', ADMIN_KEY), 200).items;
      expect(event).toMatchObject({ actorId: ada.id, targetId: ada.id, details: { conversations: 1, messages: 2, toolInvocations: 1 } });
      expect(expectStatus(await call('GET', '/users/me', ada.key), 200).id).toBe(ada.id);
    });
  });

  describe('session context', () => {
    it('caches the last messages of a conversation and drops them on every write', async () => {
      const chat = await startConversation(ada);
      for (let i = 1; i <= 25; i++) await say(ada, chat.id, `m${i}`);
      const context = app().get(SessionContextService);
      const recent = await context.recent(chat.id);
      expect(recent.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 6}`));
      expect(await app().get<Cache>(CACHE_MANAGER).get(`history:context:${chat.id}`)).toHaveLength(20);
      if (onPostgres) {
        const keys = await app().get(RedisService).client!.keys(`${process.env.REDIS_KEY_PREFIX}cache:history:context:*`);
        expect(keys).toEqual([`${process.env.REDIS_KEY_PREFIX}cache:history:context:${chat.id}`]);
      }
      expect((await context.recent(chat.id))[19].createdAt).toBeInstanceOf(Date);
      await say(ada, chat.id, 'm26');
      expect(await app().get<Cache>(CACHE_MANAGER).get(`history:context:${chat.id}`)).toBeUndefined();
      expect((await context.recent(chat.id)).at(-1)!.content).toBe('m26');
    });
  });
});
