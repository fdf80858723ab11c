import { request as httpRequest } from 'node:http';
import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '@app/history';
import { DirectToolCalls } from '@app/mcp';
import { useListeningApp } from './support/listening-app.js';
import { resetMcpState } from './support/mcp-state.js';
import { useRegisteredUpstream } from './support/upstream-mcp-server.js';
import { bearer, type TestUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

const MODERN = '2026-07-28';
const UPSTREAM_TOKEN = 'mcp-direct-upstream-token-51c7';
const ACCEPT_BOTH = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
};

interface Answer {
  status: number;
  type: string | null;
  message: Record<string, unknown>;
}

/** The HTTP answer as a client reads it: the JSON-RPC message from a JSON body or from the one SSE event. */
async function read(response: Response): Promise<Answer> {
  const type = response.headers.get('content-type');
  const text = await response.text();
  const message = JSON.parse(type?.startsWith('text/event-stream') ? /^data: (.+)$/m.exec(text)![1] : text);
  return { status: response.status, type, message };
}

async function invocations(app: NestFastifyApplication): Promise<{ tool_name: string; status: string }[]> {
  await app.get(HistoryRecorder).flush();
  return app.get(DataSource).query('SELECT tool_name, status FROM tool_invocations ORDER BY created_at');
}

/**
 * The direct path for plain tools/call requests (DirectToolCalls) against the SDK's path: a progress token sends the
 * same call through the SDK, so the two answers can be held side by side.
 */
describe('mcp: the direct tools/call path', () => {
  const server = useListeningApp({ TOOLS_HTTP_ALLOWLIST: '127.0.0.1', UPSTREAM_SYNC_INTERVAL_SECONDS: '0' });
  const app = server.app;
  let member: TestUser;
  let direct: jest.SpiedFunction<DirectToolCalls['answerModern']>;
  let directOnSession: jest.SpiedFunction<DirectToolCalls['answerSession']>;

  beforeEach(async () => {
    member = await resetMcpState(app());
    direct = jest.spyOn(app().get(DirectToolCalls), 'answerModern');
    directOnSession = jest.spyOn(app().get(DirectToolCalls), 'answerSession');
  });
  afterEach(() => jest.restoreAllMocks());

  const modernCall = (name: string, args: Record<string, unknown>, meta: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    fetch(`${server.url()}/mcp`, {
      method: 'POST',
      headers: { ...ACCEPT_BOTH, ...bearer(member.key), 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name, ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name, arguments: args, _meta: { ...ENVELOPE, ...meta } } }),
    });

  it.each([
    ['a result', 'calculator', { expression: '6 * 7' }],
    ['an error result', 'calculator', { expr: 1 }],
    ['a protocol error', 'no_such_tool', {}],
  ])('modern: answers %s exactly as the SDK path does', async (_case, name, args) => {
    const directAnswer = await read(await modernCall(name, args));
    expect(direct).toHaveBeenCalledTimes(1);
    const sdkAnswer = await read(await modernCall(name, args, { progressToken: 'p-1' }));
    expect(direct).toHaveBeenCalledTimes(1);
    expect(directAnswer).toEqual(sdkAnswer);
    expect(directAnswer.status).toBe(200);
    expect(directAnswer.type).toMatch(/^application\/json/);
  });

  it('modern: the result carries the revision’s stamps and the call is recorded', async () => {
    const { message } = await read(await modernCall('calculator', { expression: '2 + 3' }));
    expect(message).toEqual({
      jsonrpc: '2.0',
      id: 41,
      result: {
        content: [{ type: 'text', text: JSON.stringify({ value: 5, text: '5' }) }],
        structuredContent: { value: 5, text: '5' },
        resultType: 'complete',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mcp-assistant', title: 'MCP Assistant', version: expect.any(String) } },
      },
    });
    expect(await invocations(app())).toEqual([{ tool_name: 'calculator', status: 'ok' }]);
  });

  it('modern: leaves every request it does not fully recognise to the SDK, which owns the error answers', async () => {
    const mismatched = await read(await modernCall('calculator', { expression: '1' }, {}, { 'mcp-name': 'datetime' }));
    expect(mismatched.status).toBe(400);
    expect(mismatched.message).toMatchObject({ error: { code: expect.any(Number) }, id: 41 });
    const noEnvelope = await fetch(`${server.url()}/mcp`, {
      method: 'POST',
      headers: { ...ACCEPT_BOTH, ...bearer(member.key), 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'calculator' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 42, method: 'tools/call', params: { name: 'calculator', arguments: { expression: '1' } } }),
    });
    expect((await read(noEnvelope)).message).toMatchObject({ error: { code: -32602 }, id: 42 });
    const badCapabilities = await read(await modernCall('calculator', { expression: '1' }, { 'io.modelcontextprotocol/clientCapabilities': { sampling: 5 } }));
    expect(badCapabilities.message).toMatchObject({ error: { code: -32602 } });
    expect(direct).not.toHaveBeenCalled();
    expect(await invocations(app())).toEqual([]);
  });

  /** A raw 2025-11-25 session of the member's: initialize, then notifications/initialized. */
  async function openSession(): Promise<(message: Record<string, unknown>) => Promise<Response>> {
    const initialize = await fetch(`${server.url()}/mcp`, {
      method: 'POST',
      headers: { ...ACCEPT_BOTH, ...bearer(member.key) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(initialize.status).toBe(200);
    const sessionId = initialize.headers.get('mcp-session-id')!;
    await initialize.text();
    const post = (message: Record<string, unknown>) =>
      fetch(`${server.url()}/mcp`, {
        method: 'POST',
        headers: { ...ACCEPT_BOTH, ...bearer(member.key), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify(message),
      });
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    return post;
  }

  it.each([
    ['a result', 'calculator', { expression: '6 * 7' }],
    ['an error result', 'calculator', { expr: 1 }],
    ['a protocol error', 'no_such_tool', {}],
  ])('session: answers %s as JSON with the message the session transport streams', async (_case, name, args) => {
    const post = await openSession();
    const directAnswer = await read(await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: args } }));
    expect(directOnSession).toHaveBeenCalledTimes(1);
    const sdkAnswer = await read(await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: args, _meta: { progressToken: 'p-1' } } }));
    expect(directOnSession).toHaveBeenCalledTimes(1);
    expect(sdkAnswer.type).toMatch(/^text\/event-stream/);
    expect(directAnswer.type).toMatch(/^application\/json/);
    expect(directAnswer.status).toBe(200);
    expect(directAnswer.message).toEqual(sdkAnswer.message);
  });

  describe('with a slow upstream tool', () => {
    useRegisteredUpstream(app, UPSTREAM_TOKEN);

    it('session: notifications/cancelled stops a direct call, which is recorded as cancelled and answered with nothing', async () => {
      const post = await openSession();
      const call = post({ jsonrpc: '2.0', id: 'slow-1', method: 'tools/call', params: { name: 'up.slow', arguments: { steps: 50 } } });
      await waitFor(async () => directOnSession.mock.calls.length === 1, 4000);
      const cancelled = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1', reason: 'changed my mind' } });
      expect(cancelled.status).toBe(202);
      const answer = await call;
      expect(answer.status).toBe(204);
      expect(await answer.text()).toBe('');
      await waitFor(async () => (await invocations(app())).some((row) => row.status === 'cancelled'), 4000);
      expect(await invocations(app())).toEqual([{ tool_name: 'up.slow', status: 'cancelled' }]);
    });

    it('modern: a client that goes away stops its direct call, recorded as cancelled', async () => {
      // A bare socket of its own: the client hangs up mid-call and nothing else reuses or reopens the connection.
      const { port } = new URL(server.url());
      const body = JSON.stringify({ jsonrpc: '2.0', id: 43, method: 'tools/call', params: { name: 'up.slow', arguments: { steps: 50 }, _meta: ENVELOPE } });
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        agent: false,
        headers: { ...ACCEPT_BOTH, ...bearer(member.key), 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'up.slow', 'content-length': Buffer.byteLength(body) },
      });
      request.on('error', () => undefined);
      request.end(body);
      await waitFor(async () => direct.mock.calls.length === 1, 4000);
      request.destroy();
      await waitFor(async () => (await invocations(app())).some((row) => row.status === 'cancelled'), 4000);
      expect(await invocations(app())).toEqual([{ tool_name: 'up.slow', status: 'cancelled' }]);
    });
  });
});
