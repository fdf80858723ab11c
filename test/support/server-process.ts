import { ChildProcess, spawn } from 'node:child_process';

export const SERVER_ENTRY = 'dist/apps/server/src/main.js';

/** The database this pass runs on, for a process (server, CLI) started by a test: PGlite in dataDir when embedded. */
export function databaseEnv(dataDir: string): Record<string, string | undefined> {
  return process.env.TEST_MODE === 'postgres'
    ? { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, DATA_DIR: undefined }
    : { DATABASE_URL: undefined, REDIS_URL: undefined, DATA_DIR: dataDir };
}

/** Appends each complete line the stream emits to `into`, as it arrives. */
export function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    into.push(...lines.filter(Boolean));
  });
  stream.on('end', () => buffer && into.push(buffer));
}

/** The lines that parse as JSON (log lines, protocol messages), parsed. */
export function jsonLines(lines: string[]): Array<Record<string, any>> {
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/** The built server (`npm run start:prod`) in a child process, with its output captured line by line. */
export class ServerProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  url = '';

  constructor(env: Record<string, string | undefined>) {
    const merged: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
    this.child = spawn(process.execPath, [SERVER_ENTRY], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    collectLines(this.child.stdout!, this.stdout);
    collectLines(this.child.stderr!, this.stderr);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /**
   * Resolves once the server logs that it listens; rejects if it exits or takes longer than the timeout (generous: a
   * full test run loads the machine, and a cold start imports the whole app).
   */
  async listening(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.stdout.find((entry) => entry.includes('listening on'));
      const match = line && /listening on (http:\/\/\S+?) /.exec(line);
      if (match) return (this.url = match[1]);
      if (this.child.exitCode !== null) throw new Error(`server exited ${this.child.exitCode}: ${this.stderr.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`server did not listen within ${timeoutMs} ms:\n${this.stdout.join('\n')}\n${this.stderr.join('\n')}`);
  }

  /** Parsed JSON log lines. */
  logs(): Array<Record<string, any>> {
    return jsonLines(this.stdout);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
