import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HistoryRecorder } from '@app/history';
import { LegacySessions } from '@app/mcp';
import { BuiltinToolHandler } from '@app/tools';
import { resetState } from './test-app.js';
import { createUser, type TestUser } from './users.js';

/**
 * A clean slate for an MCP test: no session held, no invocation of an earlier test still buffered, the tables
 * emptied, the built-ins registered again; returns a new member to call as.
 */
export async function resetMcpState(app: NestFastifyApplication): Promise<TestUser> {
  await app.get(LegacySessions).closeIdle(Number.MAX_SAFE_INTEGER);
  await app.get(HistoryRecorder).flush();
  await resetState(app);
  await app.get(BuiltinToolHandler).onApplicationBootstrap();
  return createUser(app);
}
