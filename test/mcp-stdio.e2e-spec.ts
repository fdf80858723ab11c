import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { DataSource } from 'typeorm';
import { ANONYMOUS_USER_ID } from '@app/users';
import { collectLines, jsonLines } from './support/server-process.js';
import { recordedInvocations, STDIO_ENTRY, stdioEnv, StdioProcess, withApp, type RecordedInvocation } from './support/stdio-server.js';
import { resetState } from './support/test-app.js';
import { ADMIN_KEY, createUser, type TestUser } from './support/users.js';

const MODERN = '2026-07-28';
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const CALCULATE = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'calculator', arguments: { expression: '6*7' } } };

type Era = 'modern' | 'legacy';

describe('mcp: stdio (the built entry, as desktop clients start it)', () => {
  jest.setTimeout(90_000);
  let dataDir: string;
  let member: TestUser;
  const servers: StdioProcess[] = [];
  const start = (env: Record<string, string | undefined>) => {
    const server = new StdioProcess(stdioEnv(dataDir, env));
    servers.push(server);
    return server;
  };

  /** The invocations the stdio servers wrote, removed so the next test starts with none. */
  const takeInvocations = () =>
    withApp(dataDir, async (app): Promise<RecordedInvocation[]> => {
      const rows = await recordedInvocations(app);
      await app.get(DataSource).query('DELETE FROM tool_invocations');
      return rows;
    });

  /** The official SDK client over the stdio transport, spawning the server; what it logs is kept in `stderr`. */
  const connect = async (era: Era, env: Record<string, string | undefined>) => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [STDIO_ENTRY], env: stdioEnv(dataDir, env), stderr: 'pipe' });
    const stderr: string[] = [];
    collectLines(transport.stderr as PassThrough, stderr);
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN } } } : {});
    // A line on stdout that isn't a protocol message surfaces here.
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    return { client, stderr, errors };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcpa-stdio-'));
    member = await withApp(dataDir, async (app) => {
      await resetState(app);
      return createUser(app);
    });
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each<Era>(['modern', 'legacy'])('%s: the official SDK client lists the registry and runs the calculator as the key\'s user, recorded with source mcp', async (era) => {
    const { client, stderr, errors } = await connect(era, { API_KEY: member.key });
    expect(client.getServerVersion()).toMatchObject({ name: 'mcp-assistant' });

    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'calculator')).toMatchObject({
      inputSchema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    });
    const result = await client.callTool({ name: 'calculator', arguments: { expression: '6*7' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ value: 42, text: '42' });
    await client.close();

    expect(errors).toEqual([]);
    expect(jsonLines(stderr)).toContainEqual(expect.objectContaining({ context: 'McpStdioServer', msg: `serving MCP over stdio to ${member.email} (member)` }));
    expect(await takeInvocations()).toEqual([{ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: member.id }]);
  });

  it.each<[string, (server: StdioProcess) => void]>([
    ['stdin closed', (server) => server.endInput()],
    ['SIGTERM', (server) => server.signal('SIGTERM')],
  ])('stdout carries protocol messages only, every log line goes to stderr, and on "%s" the call is written before exit 0', async (reason, stop) => {
    // Only the shutdown flush can write the invocation within the test.
    const server = start({ API_KEY: member.key, HISTORY_FLUSH_INTERVAL_MS: '3600000' });
    server.send(INITIALIZE);
    expect((await server.answer(1)).result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'mcp-assistant' } });
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    server.send(CALCULATE);
    expect((await server.answer(2)).result.structuredContent).toEqual({ value: 42, text: '42' });

    stop(server);
    expect(await server.exitCode()).toBe(0);
    expect(server.stdout.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ jsonrpc: '2.0', id: 1 }), expect.objectContaining({ jsonrpc: '2.0', id: 2 })]);
    const logs = jsonLines(server.stderr);
    expect(logs).toHaveLength(server.stderr.length);
    expect(logs.map((line) => line.msg)).toEqual(expect.arrayContaining([`serving MCP over stdio to ${member.email} (member)`, `${reason}: closing`]));
    expect(await takeInvocations()).toEqual([{ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: member.id }]);
  });

  it.each<[string, string | undefined, string]>([
    ['no key', undefined, 'Configuration error: API_KEY is required: set it to your API key (mcpa_…), or MCP_ALLOW_ANONYMOUS=true'],
    ['a well-formed key no user has', `mcpa_${'A'.repeat(12)}_${'B'.repeat(40)}`, 'Configuration error: API_KEY was refused: The API key is not valid. (INVALID_API_KEY)'],
    // As the built-in admin key it would be compared with itself: any value would pass.
    [
      'the HTTP server\'s built-in admin key',
      ADMIN_KEY,
      'Configuration error: API_KEY was refused: The API key is not valid. (INVALID_API_KEY); over stdio API_KEY must be a user\'s API key (mcpa_…)',
    ],
  ])('refuses %s before serving: one line on stderr, nothing on stdout, exit 1', async (_case, key, message) => {
    const server = start({ API_KEY: key });
    server.send(INITIALIZE);
    expect(await server.exitCode()).toBe(1);
    expect(server.stdout).toEqual([]);
    expect(server.stderr.filter((line) => !line.startsWith('{'))).toEqual([message]);
  });

  it('with MCP_ALLOW_ANONYMOUS=true serves a client without a key as the anonymous member', async () => {
    const { client } = await connect('legacy', { MCP_ALLOW_ANONYMOUS: 'true' });
    expect((await client.callTool({ name: 'calculator', arguments: { expression: '6*7' } })).structuredContent).toEqual({ value: 42, text: '42' });
    await client.close();
    expect(await takeInvocations()).toEqual([{ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: ANONYMOUS_USER_ID }]);
  });
});
