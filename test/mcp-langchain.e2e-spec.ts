import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicStructuredTool } from '@langchain/core/tools';
import { MultiServerMCPClient, type Connection } from '@langchain/mcp-adapters';
import { HistoryRecorder } from '@app/history';
import { useListeningApp } from './support/listening-app.js';
import { recordedInvocations, STDIO_ENTRY, stdioEnv, withApp } from './support/stdio-server.js';
import { bearer, createUser } from './support/users.js';

/** Loads our tools through LangChain's MCP adapters, runs the calculator as a LangChain tool, and closes. */
async function calculateThroughLangChain(connection: Connection): Promise<{ calculator: DynamicStructuredTool; output: unknown }> {
  const client = new MultiServerMCPClient({ mcpServers: { assistant: connection }, onConnectionError: 'throw' });
  try {
    const tools = await client.getTools();
    const calculator = tools.find((tool) => tool.name === 'calculator');
    if (!calculator) throw new Error(`no calculator among ${tools.map((tool) => tool.name).join(', ')}`);
    return { calculator, output: await calculator.invoke({ expression: '6*7' }) };
  } finally {
    await client.close();
  }
}

/** What a model is told about the calculator, and the answer it gets back. */
function expectCalculatorWorked({ calculator, output }: { calculator: DynamicStructuredTool; output: unknown }): void {
  expect(calculator.description).toMatch(/arithmetic expression/);
  expect(calculator.schema).toMatchObject({ type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] });
  expect(output).toMatchObject({ type: 'text', structuredContent: { value: 42, text: '42' } });
  expect(JSON.parse((output as { text: string }).text)).toEqual({ value: 42, text: '42' });
}

describe('mcp: LangChain MultiServerMCPClient (@langchain/mcp-adapters)', () => {
  jest.setTimeout(90_000);

  describe('over Streamable HTTP', () => {
    const server = useListeningApp({});

    it('loads our tools as LangChain tools and runs the calculator as the key\'s user', async () => {
      const member = await createUser(server.app());
      expectCalculatorWorked(await calculateThroughLangChain({ transport: 'http', url: `${server.url()}/mcp`, headers: bearer(member.key) }));
      await server.app().get(HistoryRecorder).flush();
      expect((await recordedInvocations(server.app())).filter((row) => row.user_id === member.id)).toEqual([
        { tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: member.id },
      ]);
    });
  });

  describe('over stdio (the built entry)', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'mcpa-langchain-'));
    });
    afterAll(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('spawns the server, loads our tools and runs the calculator as the key\'s user', async () => {
      const member = await withApp(dataDir, (app) => createUser(app));
      const env = stdioEnv(dataDir, { API_KEY: member.key, LOG_LEVEL: 'warn' });
      expectCalculatorWorked(await calculateThroughLangChain({ transport: 'stdio', command: process.execPath, args: [STDIO_ENTRY], env, stderr: 'pipe' }));
      const rows = await withApp(dataDir, recordedInvocations);
      expect(rows.filter((row) => row.user_id === member.id)).toEqual([{ tool_name: 'calculator', source: 'mcp', status: 'ok', user_id: member.id }]);
    });
  });
});
