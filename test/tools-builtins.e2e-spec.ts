import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HistoryRecorder } from '@app/history';
import { BuiltinToolHandler } from '@app/tools';
import { useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser, type TestUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function body(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.json();
}

describe('built-in tools: datetime, json_query, history_search', () => {
  // The recorder writes only when a test flushes it, so searches see exactly the calls made before.
  const app = useTestApp({ reset: true, env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', HISTORY_FLUSH_INTERVAL_MS: '3600000' } });
  const invoke = (name: string, args: unknown, key = ADMIN_KEY) =>
    app().inject({ method: 'POST', url: `/tools/${name}/invoke`, headers: bearer(key), payload: { arguments: args } });
  const result = async (name: string, args: unknown, key = ADMIN_KEY) => {
    const answer = body(await invoke(name, args, key), 200);
    expect({ isError: answer.isError, result: answer.result }).toMatchObject({ isError: false });
    return answer.result;
  };
  const failure = async (name: string, args: unknown, key = ADMIN_KEY) => {
    const answer = body(await invoke(name, args, key), 200);
    expect(answer.isError).toBe(true);
    return answer.result as { error: string; code: string };
  };
  const pointers = async (name: string, args: unknown) => {
    const problem = body(await invoke(name, args), 400);
    expect(problem.code).toBe('TOOL_INPUT_INVALID');
    return (problem.errors as { pointer: string; message: string }[]).map((error) => error.message);
  };

  beforeEach(async () => {
    // resetState empties the registry; built-ins come back as they do at every boot.
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  it('lists the new built-ins beside the calculator, with strict schemas and honest annotations', async () => {
    const member = await createUser(app());
    const page = body(await app().inject({ method: 'GET', url: '/tools', headers: bearer(member.key) }), 200);
    expect(page.items.map((tool: { name: string }) => tool.name)).toEqual(expect.arrayContaining(['calculator', 'datetime', 'history_search', 'json_query']));
    const get = async (name: string) => body(await app().inject({ method: 'GET', url: `/tools/${name}`, headers: bearer(member.key) }), 200);

    const datetime = await get('datetime');
    expect(datetime).toMatchObject({
      kind: 'builtin',
      cacheTtlSeconds: 0,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      inputSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', required: ['operation'], additionalProperties: false },
      outputSchema: { additionalProperties: false },
    });
    expect(datetime.inputSchema.properties.operation.enum).toEqual(['now', 'add', 'diff', 'format', 'convert']);
    for (const [name, property] of Object.entries(datetime.inputSchema.properties as Record<string, { description?: string }>)) {
      expect({ name, description: typeof property.description }).toEqual({ name, description: 'string' });
    }

    const jsonQuery = await get('json_query');
    expect(jsonQuery).toMatchObject({
      cacheTtlSeconds: 300,
      annotations: { readOnlyHint: true, openWorldHint: false },
      inputSchema: { required: ['expression', 'document'], additionalProperties: false },
      outputSchema: { required: ['result'] },
    });

    const historySearch = await get('history_search');
    expect(historySearch).toMatchObject({
      cacheTtlSeconds: 0,
      annotations: { readOnlyHint: true, destructiveHint: false },
      inputSchema: { required: ['query'], additionalProperties: false, properties: { limit: { maximum: 100, default: 20 } } },
      outputSchema: { required: ['matches', 'hasMore'] },
    });
    expect(historySearch.inputSchema.properties.kind.enum).toEqual(['messages', 'tool_invocations', 'all']);

    // The calculator is as it was.
    expect(await result('calculator', { expression: '2 * (3 + 4)' }, member.key)).toEqual({ value: 14, text: '14' });
  });

  describe('datetime', () => {
    it('tells the time now in a zone', async () => {
      const before = Date.now();
      const now = await result('datetime', { operation: 'now', timeZone: 'Asia/Tokyo', format: 'yyyy' });
      expect(now).toMatchObject({ timeZone: 'Asia/Tokyo', offset: '+09:00', formatted: String(new Date(now.epochMillis + 9 * 3_600_000).getUTCFullYear()) });
      expect(now.epochMillis).toBeGreaterThanOrEqual(before - 1000);
      expect(now.epochMillis).toBeLessThanOrEqual(Date.now() + 1000);
      expect(now.iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+09:00$/);
      expect(await result('datetime', { operation: 'now' })).toMatchObject({ timeZone: 'UTC', offset: '+00:00' });
    });

    it('adds, diffs, formats and converts, following DST', async () => {
      // New York springs forward on 2025-03-09 at 02:00.
      expect(await result('datetime', { operation: 'add', date: '2025-03-08T09:00', timeZone: 'America/New_York', duration: 'P1D' })).toEqual({
        iso: '2025-03-09T09:00:00.000-04:00',
        timeZone: 'America/New_York',
        offset: '-04:00',
        epochMillis: Date.parse('2025-03-09T13:00:00Z'),
        weekday: 'Sunday',
      });
      const back = await result('datetime', { operation: 'add', date: '2025-03-31T10:00:00Z', duration: { months: -1, hours: 2 }, format: 'dd LLL HH:mm' });
      expect(back).toMatchObject({ iso: '2025-02-28T12:00:00.000Z', formatted: '28 Feb 12:00' });

      expect(
        await result('datetime', { operation: 'diff', from: '2025-03-08T09:00', to: '2025-03-09T09:00', timeZone: 'America/New_York', unit: 'hours' }),
      ).toEqual({ duration: 'P1D', milliseconds: 23 * 3_600_000, unit: 'hours', value: 23 });
      expect(await result('datetime', { operation: 'diff', from: '2026-01-01', to: '2024-11-15T12:00:00Z' })).toEqual({
        duration: '-P1Y1M16DT12H',
        milliseconds: Date.parse('2024-11-15T12:00:00Z') - Date.parse('2026-01-01T00:00:00Z'),
      });

      const german = await result('datetime', { operation: 'format', date: '2025-12-24T18:30:00Z', timeZone: 'Europe/Berlin', format: 'cccc, d. LLLL yyyy, HH:mm', locale: 'de-DE' });
      expect(german).toMatchObject({ formatted: 'Mittwoch, 24. Dezember 2025, 19:30', weekday: 'Wednesday', offset: '+01:00' });

      const converted = await result('datetime', { operation: 'convert', date: '2025-06-01T12:00', timeZone: 'Europe/London', toTimeZone: 'australia/sydney' });
      expect(converted).toMatchObject({ iso: '2025-06-01T21:00:00.000+10:00', timeZone: 'Australia/Sydney', epochMillis: Date.parse('2025-06-01T11:00:00Z') });
    });

    it('answers unknown zones and unparsable dates with error results', async () => {
      expect(await failure('datetime', { operation: 'now', timeZone: 'Europe/Atlantis' })).toEqual({
        code: 'TIME_ZONE_INVALID',
        error: '"Europe/Atlantis" is not a known time zone; use an IANA name such as "Europe/Berlin" or "UTC"',
      });
      expect(await failure('datetime', { operation: 'convert', date: '2025-01-01', toTimeZone: 'Moon/Base' })).toMatchObject({ code: 'TIME_ZONE_INVALID' });
      expect(await failure('datetime', { operation: 'format', date: '31/12/2025' })).toMatchObject({ code: 'DATE_INVALID', error: expect.stringContaining('"31/12/2025"') });
      expect(await failure('datetime', { operation: 'diff', from: '2025-01-01', to: 'yesterday' })).toMatchObject({ code: 'DATE_INVALID', error: expect.stringMatching(/^to /) });
    });

    it('refuses arguments an operation lacks or would ignore, pointing at each', async () => {
      expect(await pointers('datetime', { operation: 'add', date: '2025-01-01' })).toEqual(['/duration is required', '/ must match "then" schema']);
      expect(await pointers('datetime', { operation: 'diff', from: '2025-01-01' })).toContain('/to is required');
      expect(await pointers('datetime', { operation: 'now', date: '2025-01-01', unit: 'days' })).toEqual([
        '/date is not allowed',
        '/unit is not allowed',
        '/ must match "then" schema',
      ]);
      expect(await pointers('datetime', { operation: 'tomorrow' })).toEqual(['/operation must be equal to one of the allowed values']);
      expect(await pointers('datetime', { timeZone: 'UTC' })).toEqual(['/operation is required']);
      expect(await pointers('datetime', { operation: 'add', date: '2025-01-01', duration: '1 day' })).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\/duration /)]),
      );
      expect(await pointers('datetime', { operation: 'add', date: '2025-01-01', duration: { fortnights: 1 } })).toContain('/duration/fortnights is not allowed');
      expect(await pointers('datetime', { operation: 'now', wibble: 1 })).toContain('/wibble is not allowed');
    });
  });

  describe('json_query', () => {
    const document = {
      orders: [
        { id: 1, customer: 'ada', total: 120.5, items: ['kiwi', 'fig'] },
        { id: 2, customer: 'bob', total: 15, items: ['pear'] },
        { id: 3, customer: 'ada', total: 42, items: [] },
      ],
    };

    it('selects, filters, projects and reshapes', async () => {
      expect(await result('json_query', { expression: "orders[?customer == 'ada'].id", document })).toEqual({ result: [1, 3] });
      expect(await result('json_query', { expression: 'max_by(orders, &total).{who: customer, total: total}', document })).toEqual({
        result: { who: 'ada', total: 120.5 },
      });
      expect(await result('json_query', { expression: 'length(orders[].items[])', document })).toEqual({ result: 3 });
      expect(await result('json_query', { expression: 'orders[?total > `1000`]', document })).toEqual({ result: [] });
      expect(await result('json_query', { expression: 'missing.path', document })).toEqual({ result: null });
      expect(await result('json_query', { expression: '[1]', document: ['a', 'b'] })).toEqual({ result: 'b' });
    });

    it('answers invalid and failing expressions with error results', async () => {
      expect(await failure('json_query', { expression: 'orders[?', document })).toMatchObject({ code: 'QUERY_INVALID', error: expect.stringMatching(/^invalid JMESPath expression: /) });
      expect(await failure('json_query', { expression: 'abs(orders[0].customer)', document })).toMatchObject({ code: 'QUERY_FAILED', error: expect.stringContaining('abs()') });
    });

    it('survives hostile expressions: exponential results end in an error, and the server carries on', async () => {
      const doubling = Array.from({ length: 40 }, () => '[@, @]').join(' | ');
      expect(['RESULT_TOO_LARGE', 'QUERY_TOO_EXPENSIVE']).toContain((await failure('json_query', { expression: doubling, document: 'x' })).code);
      expect((await failure('json_query', { expression: `${doubling} | to_string(@)`, document: 'x' })).code).toBe('QUERY_TOO_EXPENSIVE');
      // 1999 nested nots overflow a default Node stack; the worker's larger one evaluates them.
      expect(await result('json_query', { expression: `${'!'.repeat(1999)}a`, document: { a: 1 } })).toEqual({ result: false });
      expect(await result('json_query', { expression: 'a', document: { a: 'still here' } })).toEqual({ result: 'still here' });
    });

    it('refuses missing documents and bad expressions by schema', async () => {
      expect(await pointers('json_query', { expression: 'a' })).toEqual(['/document is required']);
      expect(await pointers('json_query', { expression: '', document: {} })).toEqual(['/expression must NOT have fewer than 1 characters']);
    });
  });

  describe('history_search', () => {
    let ada: TestUser;
    let bob: TestUser;
    beforeEach(async () => {
      ada = await createUser(app());
      bob = await createUser(app());
    });

    const call = (method: 'GET' | 'POST', url: string, key: string, payload?: object) => app().inject({ method, url, headers: bearer(key), payload });
    const startConversation = async (user: TestUser, title: string) => body(await call('POST', '/conversations', user.key, { title }), 201).id as string;
    const say = async (user: TestUser, conversationId: string, content: string, role = 'user') =>
      body(await call('POST', `/conversations/${conversationId}/messages`, user.key, { role, content }), 201) as { id: string; createdAt: string };
    const search = (args: Record<string, unknown>, user: TestUser) => result('history_search', args, user.key);

    it("finds the caller's own messages and tool calls, newest first, and never another user's", async () => {
      const trip = await startConversation(ada, 'Trip');
      const first = await say(ada, trip, 'Book a table at the Kiwi Bar for Friday');
      const reply = await say(ada, trip, 'Done: the KIWI bar, 8pm, under Ada.', 'assistant');
      const other = await startConversation(ada, 'Shopping');
      await say(ada, other, 'Nothing about fruit here');
      const bobs = await startConversation(bob, 'Bob');
      await say(bob, bobs, 'bob also likes kiwi');
      const calculated = body(await invoke('calculator', { expression: '3 kiwi_count' }, ada.key), 200);
      expect(calculated.isError).toBe(true);
      body(await invoke('calculator', { expression: '2 + 2' }, bob.key), 200);
      await app().get(HistoryRecorder).flush();

      const found = await search({ query: 'kiwi' }, ada);
      expect(found.hasMore).toBe(false);
      expect(found.matches.map((match: { id: string }) => match.id)).toEqual([calculated.invocationId, reply.id, first.id]);
      expect(found.matches[0]).toMatchObject({ type: 'tool_invocation', toolName: 'calculator', conversationId: null, snippet: '{"expression": "3 kiwi_count"}' });
      expect(found.matches[1]).toEqual({
        type: 'message',
        id: reply.id,
        conversationId: trip,
        role: 'assistant',
        snippet: 'Done: the KIWI bar, 8pm, under Ada.',
        createdAt: reply.createdAt,
      });

      expect((await search({ query: 'kiwi', kind: 'messages' }, ada)).matches.map((match: { id: string }) => match.id)).toEqual([reply.id, first.id]);
      expect((await search({ query: 'KIWI', kind: 'tool_invocations' }, ada)).matches.map((match: { id: string }) => match.id)).toEqual([calculated.invocationId]);
      expect((await search({ query: 'calculator', kind: 'tool_invocations' }, ada)).matches).toHaveLength(1);
      expect((await search({ query: 'kiwi', conversationId: trip, limit: 1 }, ada))).toMatchObject({ matches: [{ id: reply.id }], hasMore: true });
      expect((await search({ query: 'kiwi', since: '2999-01-01T00:00:00Z' }, ada)).matches).toEqual([]);

      // Bob, and even an admin, see only their own.
      const bobFound = await search({ query: 'kiwi' }, bob);
      expect(bobFound.matches).toHaveLength(1);
      expect(bobFound.matches[0]).toMatchObject({ type: 'message', conversationId: bobs, snippet: 'bob also likes kiwi' });
      expect((await search({ query: 'kiwi', conversationId: trip }, bob)).matches).toEqual([]);
      const admin = await createUser(app(), { role: 'admin' });
      expect((await search({ query: 'kiwi' }, admin)).matches).toEqual([]);
    });

    it('takes LIKE wildcards literally and cuts long texts to a snippet', async () => {
      const chat = await startConversation(ada, 'Numbers');
      await say(ada, chat, 'growth was 100% this year');
      await say(ada, chat, 'growth was 1000 this year');
      const long = await say(ada, chat, `${'lorem ipsum '.repeat(30)}the needle is here${' dolor sit'.repeat(30)}`);
      await app().get(HistoryRecorder).flush();

      const percent = await search({ query: '0%', kind: 'messages' }, ada);
      expect(percent.matches.map((match: { snippet: string }) => match.snippet)).toEqual(['growth was 100% this year']);
      expect((await search({ query: '_', kind: 'messages' }, ada)).matches).toEqual([]);
      const [needle] = (await search({ query: 'NEEDLE' }, ada)).matches;
      expect(needle.id).toBe(long.id);
      expect(needle.snippet).toMatch(/^….{40,}the needle is here.{40,}…$/);
      expect(needle.snippet.length).toBeLessThan(160);
    });

    it('refuses bad arguments by schema and by meaning', async () => {
      expect(await pointers('history_search', { query: '', limit: 101, kind: 'emails', conversationId: 'nope' })).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\/query /), expect.stringMatching(/^\/limit /), expect.stringMatching(/^\/kind /), expect.stringMatching(/^\/conversationId /)]),
      );
      expect(await pointers('history_search', {})).toEqual(['/query is required']);
      expect(await failure('history_search', { query: 'x', since: 'last week' }, ada.key)).toMatchObject({ code: 'DATE_INVALID' });
    });
  });
});
