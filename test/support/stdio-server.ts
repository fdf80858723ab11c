import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { collectLines, databaseEnv, jsonLines } from './server-process.js';
import { createTestApp } from './test-app.js';
import { ADMIN_KEY } from './users.js';
import { waitFor } from './wait-for.js';

export const STDIO_ENTRY = 'dist/apps/server/src/stdio.js';

/**
 * What a desktop client would give the built stdio server: this pass's database (PGlite in dataDir when embedded),
 * logs at info, plus `env` (API_KEY…); unset values are left out. Nothing of the test process leaks in.
 */
export function stdioEnv(dataDir: string, env: Record<string, string | undefined> = {}): Record<string, string> {
  const merged = { NODE_ENV: 'test', LOG_LEVEL: 'info', REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX, ...databaseEnv(dataDir), ...env };
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * The real app on the database a stdio server of this pass uses, for the duration of `use` only: an embedded
 * database serves one process at a time, so the app must let go of it before the next server starts.
 */
export async function withApp<T>(dataDir: string, use: (app: NestFastifyApplication) => Promise<T>): Promise<T> {
  const app = await createTestApp({ env: { ...databaseEnv(dataDir), API_KEY: ADMIN_KEY } });
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

export interface RecordedInvocation {
  tool_name: string;
  source: string;
  status: string;
  user_id: string;
}

export function recordedInvocations(app: NestFastifyApplication): Promise<RecordedInvocation[]> {
  return app.get(DataSource).query('SELECT tool_name, source, status, user_id FROM tool_invocations ORDER BY created_at');
}

/** The built stdio server driven by hand: JSON-RPC lines written to its stdin, its stdout and stderr kept line by line. */
export class StdioProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [STDIO_ENTRY], { env: { PATH: process.env.PATH, ...env }, stdio: 'pipe' });
    collectLines(this.child.stdout, this.stdout);
    collectLines(this.child.stderr, this.stderr);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** The server's answer to request `id`, once it is on stdout (the first one waits for the server to boot: under load, 20 s were not enough). */
  async answer(id: number, timeoutMs = 60_000): Promise<Record<string, any>> {
    const find = () => jsonLines(this.stdout).find((message) => message.id === id && ('result' in message || 'error' in message));
    await waitFor(async () => find() !== undefined || this.child.exitCode !== null, timeoutMs);
    const answer = find();
    if (!answer) throw new Error(`stdio server exited ${this.child.exitCode} before answering ${id}:\n${this.stderr.join('\n')}`);
    return answer;
  }

  /** The exit code, or 'still running' when the process hasn't exited within the timeout (a refused key that was served). */
  exitCode(timeoutMs = 30_000): Promise<number | null | 'still running'> {
    return Promise.race([this.exited, new Promise<'still running'>((resolve) => setTimeout(resolve, timeoutMs, 'still running').unref())]);
  }

  /** What a desktop client does when it is done: closes the server's stdin. */
  endInput(): void {
    this.child.stdin.end();
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
