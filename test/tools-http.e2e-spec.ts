import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino, type Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '@app/core';
import { HistoryRecorder } from '@app/history';
import { BuiltinToolHandler } from '@app/tools';
import { createTestApp, useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function body(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response.json();
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client hung up before the answer. */
  aborted: boolean;
}

const SECRET = 'sk-live-7f3c9a-do-not-leak';
const MAX_RESPONSE_BYTES = 4096;

/** A real HTTP server on loopback that records what reaches it. */
async function startTestServer(received: Received[]): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), aborted: false };
      received.push(entry);
      res.on('close', () => (entry.aborted = !res.writableFinished));
      const url = new URL(req.url!, 'http://test');
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/json') return json(200, { hello: 'world' });
      if (url.pathname === '/echo') return json(200, { method: entry.method, url: entry.url, body: entry.body, contentType: req.headers['content-type'] ?? null });
      if (url.pathname.startsWith('/items/')) return json(200, { ok: true, id: decodeURIComponent(url.pathname.slice(7)) });
      if (url.pathname === '/text') return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      if (url.pathname === '/big') return res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_RESPONSE_BYTES * 3));
      if (url.pathname === '/fail') return res.writeHead(500, { 'content-type': 'text/plain' }).end('boom: database on fire');
      if (url.pathname === '/redirect') return res.writeHead(302, { location: url.searchParams.get('to')! }).end();
      if (url.pathname === '/slow') return; // never answers
      json(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** From now on, every line the app's pino logger writes at any level, kept instead of printed. */
function captureLogs(app: NestFastifyApplication): string[] {
  const lines: string[] = [];
  const logger = app.get<Logger>(ROOT_LOGGER);
  (logger as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym].write = (line: string) => lines.push(line) > 0;
  logger.level = 'trace';
  return lines;
}

const ITEMS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { id: { type: 'string' }, q: { type: 'string' }, note: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['id'],
  additionalProperties: false,
};

describe('tools: outbound HTTP (http_request and HTTP tools) behind the SSRF guard', () => {
  const env = { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', TOOLS_HTTP_ALLOWLIST: '127.0.0.1,localhost', TOOLS_HTTP_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES) };
  const app = useTestApp({ reset: true, env });
  const received: Received[] = [];
  let server: Server;
  let base: string;
  let logs: string[];

  const invoke = (name: string, args: unknown, key = ADMIN_KEY, target = app()) =>
    target.inject({ method: 'POST', url: `/tools/${name}/invoke`, headers: bearer(key), payload: { arguments: args } });
  const createTool = (payload: Record<string, unknown>, target = app()) =>
    target.inject({ method: 'POST', url: '/tools', headers: bearer(ADMIN_KEY), payload });
  const itemsTool = (overrides: Record<string, unknown> = {}) => ({
    name: 'items.update',
    description: 'Updates an item',
    kind: 'http',
    inputSchema: ITEMS_SCHEMA,
    config: { url: `${base}/items/{id}`, method: 'POST', headers: { 'X-Api-Key': SECRET }, query: ['q'] },
    ...overrides,
  });

  beforeAll(async () => {
    ({ server, base } = await startTestServer(received));
    logs = captureLogs(app());
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(async () => {
    received.length = 0;
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  it('http_request GETs JSON and POSTs a JSON or text body', async () => {
    const got = body(await invoke('http_request', { url: `${base}/json` }), 200);
    expect(got).toMatchObject({ isError: false, result: { status: 200, body: { hello: 'world' }, truncated: false, url: `${base}/json` } });
    expect(got.result.headers['content-type']).toBe('application/json');

    const posted = body(await invoke('http_request', { method: 'POST', url: `${base}/echo`, body: { a: 1, b: ['x'] } }), 200);
    expect(posted.result.body).toEqual({ method: 'POST', url: '/echo', body: '{"a":1,"b":["x"]}', contentType: 'application/json' });
    const text = body(await invoke('http_request', { method: 'PUT', url: `${base}/echo`, headers: { 'Content-Type': 'text/plain' }, body: 'raw text', responseType: 'text' }), 200);
    expect(JSON.parse(text.result.body)).toMatchObject({ method: 'PUT', body: 'raw text', contentType: 'text/plain' });

    const tool = body(await app().inject({ method: 'GET', url: '/tools/http_request', headers: bearer(ADMIN_KEY) }), 200);
    expect(tool).toMatchObject({ kind: 'builtin', cacheTtlSeconds: 0, annotations: { openWorldHint: true, readOnlyHint: false } });
  });

  it('runs an HTTP tool made through POST /tools: template, query and body arguments and the decrypted header reach the server', async () => {
    const created = body(await createTool(itemsTool()), 201);
    expect(created.config).toEqual({ url: `${base}/items/{id}`, method: 'POST', headers: { 'X-Api-Key': '********' }, query: ['q'] });

    const call = body(await invoke('items.update', { id: 'a/b 7', q: 'find me', note: 'hello', tags: ['t1'] }), 200);
    expect(call).toMatchObject({ isError: false, result: { ok: true, id: 'a/b 7' } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/items/a%2Fb%207?q=find+me', body: JSON.stringify({ note: 'hello', tags: ['t1'] }) });
    expect(received[0].headers).toMatchObject({ 'x-api-key': SECRET, 'content-type': 'application/json' });

    await app().get(HistoryRecorder).flush();
    const [row] = await app().get(DataSource).query('SELECT status, arguments, result FROM tool_invocations WHERE id = $1', [call.invocationId]);
    expect(row).toEqual({ status: 'ok', arguments: { id: 'a/b 7', q: 'find me', note: 'hello', tags: ['t1'] }, result: { ok: true, id: 'a/b 7' } });

    // A text answer is { text }; a non-2xx answer is an error result named by its status.
    body(await createTool({ ...itemsTool({ name: 'items.text' }), config: { url: `${base}/text` }, inputSchema: { type: 'object', properties: {} } }), 201);
    expect(body(await invoke('items.text', {}), 200).result).toEqual({ text: 'plain words' });
    body(await createTool({ ...itemsTool({ name: 'items.fail' }), config: { url: `${base}/fail` }, inputSchema: { type: 'object', properties: {} } }), 201);
    expect(body(await invoke('items.fail', {}), 200)).toMatchObject({ isError: true, result: { code: 'HTTP_500', error: expect.stringContaining('boom: database on fire') } });
  });

  it('keeps header values encrypted in the table and out of every response and log line', async () => {
    const created = await createTool(itemsTool());
    expect(created.statusCode).toBe(201);
    const [raw] = await app().get(DataSource).query(`SELECT config::text AS config FROM tools WHERE name = 'items.update'`);
    expect(raw.config).not.toContain(SECRET);
    expect(JSON.parse(raw.config).headers['X-Api-Key']).toMatch(/^enc:v1:/);

    const member = await createUser(app());
    const asAdmin = await app().inject({ method: 'GET', url: '/tools/items.update', headers: bearer(ADMIN_KEY) });
    const asMember = await app().inject({ method: 'GET', url: '/tools/items.update', headers: bearer(member.key) });
    expect(asAdmin.json().config.headers).toEqual({ 'X-Api-Key': '********' });
    expect(asMember.json()).not.toHaveProperty('config');

    // A change that sends the placeholder back keeps the stored value.
    const patched = await app().inject({
      method: 'PATCH',
      url: '/tools/items.update',
      headers: bearer(ADMIN_KEY),
      payload: { config: { ...asAdmin.json().config, url: `${base}/items/v2-{id}` } },
    });
    expect(patched.json()).toMatchObject({ version: 2, config: { headers: { 'X-Api-Key': '********' } } });
    body(await invoke('items.update', { id: '9' }), 200);
    expect(received.at(-1)).toMatchObject({ url: '/items/v2-9', headers: { 'x-api-key': SECRET } });

    const listed = await app().inject({ method: 'GET', url: '/tools', headers: bearer(ADMIN_KEY) });
    const audit = await app().inject({ method: 'GET', url: '/audit', headers: bearer(ADMIN_KEY) });
    for (const response of [created, asAdmin, asMember, patched, listed, audit]) expect(response.body).not.toContain(SECRET);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes(SECRET))).toEqual([]);
  });

  it('refuses config that does not fit the input schema, with a pointer per field', async () => {
    const problem = body(await createTool(itemsTool({ config: { url: `${base}/items/{nope}`, method: 'TRACE', query: ['missing'] } })), 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/config/method', '/config/query/0', '/config/url']);
  });

  it('refuses 169.254.169.254 even when allow-listed, and a redirect from the allowed server to it', async () => {
    const direct = body(await invoke('http_request', { url: 'http://169.254.169.254/latest/meta-data/' }), 200);
    expect(direct).toMatchObject({ isError: true, result: { code: 'URL_FORBIDDEN', error: '169.254.169.254 is refused: a cloud metadata address (always refused)' } });
    expect(body(await invoke('http_request', { url: 'http://[fd00:ec2::254]/' }), 200).result.code).toBe('URL_FORBIDDEN');
    expect(body(await invoke('http_request', { url: 'file:///etc/passwd' }), 400).code).toBe('TOOL_INPUT_INVALID');

    const redirected = body(await invoke('http_request', { url: `${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/iam')}` }), 200);
    expect(redirected).toMatchObject({ isError: true, result: { code: 'URL_FORBIDDEN' } });
    expect(received.map((request) => request.url)).toEqual([expect.stringMatching(/^\/redirect/)]);
  });

  it('follows a redirect to another origin without the credentials', async () => {
    const port = new URL(base).port;
    body(
      await createTool(
        itemsTool({ config: { url: `${base}/redirect?to={id}`, method: 'GET', headers: { Authorization: `Bearer ${SECRET}`, 'X-Trace': 'kept-on-same-origin' } } }),
      ),
      201,
    );
    // 127.0.0.1 → localhost is another origin (both allow-listed): no configured header follows.
    body(await invoke('items.update', { id: `http://localhost:${port}/echo` }), 200);
    expect(received).toHaveLength(2);
    expect(received[0].headers).toMatchObject({ authorization: `Bearer ${SECRET}` });
    expect(received[1].url).toBe('/echo');
    expect(received[1].headers).not.toHaveProperty('authorization');
    expect(received[1].headers).not.toHaveProperty('x-trace');
  });

  it('caps the response: http_request returns it cut and says so, an HTTP tool fails', async () => {
    const cut = body(await invoke('http_request', { url: `${base}/big` }), 200);
    expect(cut).toMatchObject({ isError: false, result: { status: 200, truncated: true } });
    expect(cut.result.body).toHaveLength(MAX_RESPONSE_BYTES);
    body(await createTool({ ...itemsTool({ name: 'big' }), config: { url: `${base}/big` }, inputSchema: { type: 'object', properties: {} } }), 201);
    expect(body(await invoke('big', {}), 200)).toMatchObject({ isError: true, result: { code: 'RESPONSE_TOO_LARGE' } });
  });

  it("aborts the request when the tool's timeout passes", async () => {
    body(await createTool({ ...itemsTool({ name: 'slow' }), config: { url: `${base}/slow` }, inputSchema: { type: 'object', properties: {} }, timeoutMs: 300 }), 201);
    expect(body(await invoke('slow', {}), 504).code).toBe('TOOL_TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([expect.objectContaining({ url: '/slow', aborted: true })]);
  });

  it('refuses the same loopback URL, and localhost, on an app without the allow-list', async () => {
    const strict = await createTestApp({ env: { ...env, TOOLS_HTTP_ALLOWLIST: undefined } });
    try {
      await strict.get(BuiltinToolHandler).onApplicationBootstrap();
      const loopback = body(await invoke('http_request', { url: `${base}/json` }, ADMIN_KEY, strict), 200);
      expect(loopback).toMatchObject({
        isError: true,
        result: { code: 'URL_FORBIDDEN', error: '127.0.0.1 is refused: a loopback address, and the host is not in TOOLS_HTTP_ALLOWLIST' },
      });
      const port = new URL(base).port;
      const named = body(await invoke('http_request', { url: `http://localhost:${port}/json` }, ADMIN_KEY, strict), 200);
      expect(named.result).toMatchObject({ code: 'URL_FORBIDDEN', error: expect.stringMatching(/^localhost is refused: it resolves to (127\.0\.0\.1|::1), a loopback address/) });

      body(await createTool(itemsTool({ name: 'items.strict' }), strict), 201);
      expect(body(await invoke('items.strict', { id: '1' }, ADMIN_KEY, strict), 200).result.code).toBe('URL_FORBIDDEN');
      expect(received).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
