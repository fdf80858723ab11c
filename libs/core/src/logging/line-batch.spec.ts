import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LineBatch } from './line-batch.js';

describe('LineBatch', () => {
  let dir: string;
  let file: string;
  const written = () => readFileSync(file, 'utf8');
  // A real sonic-boom, synchronous so that what it was handed is in the file at once.
  const batchOf = (bytes: number) => new LineBatch(pino.destination({ dest: file, sync: true }), bytes);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'line-batch-'));
    file = join(dir, 'log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds lines until about batchBytes wait, then hands them over together, in order', () => {
    const batch = batchOf(20);
    batch.write('first line\n');
    expect(written()).toBe('');
    batch.write('second line\n');
    expect(written()).toBe('first line\nsecond line\n');
    batch.write('third\n');
    expect(written()).toBe('first line\nsecond line\n');
    batch.stopBatching();
  });

  it('hands everything over on flush, and calls back once the sink has it', async () => {
    const batch = batchOf(4096);
    batch.write('a\n');
    batch.write('b\n');
    await new Promise<void>((resolve, reject) => batch.flush((error) => (error ? reject(error) : resolve())));
    expect(written()).toBe('a\nb\n');
    batch.stopBatching();
  });

  it('writes each line as it comes once batching stops (the app shut down)', () => {
    const batch = batchOf(4096);
    batch.write('before\n');
    batch.stopBatching();
    expect(written()).toBe('before\n');
    batch.write('after\n');
    expect(written()).toBe('before\nafter\n');
  });

  it('writes what is batched when the process exits, through pino and an asynchronous destination as the app has them', () => {
    const script = `
      import { pino } from 'pino';
      import { LineBatch } from './dist/libs/core/src/logging/line-batch.js';
      const logger = pino({ base: null, timestamp: false }, new LineBatch(pino.destination({ dest: 1 }), 4096));
      logger.info('one');
      logger.info('two');
      process.exit(3);
    `;
    let stdout = '';
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    } catch (error) {
      const failure = error as { status: number; stdout: string };
      expect(failure.status).toBe(3);
      stdout = failure.stdout;
    }
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line).msg)).toEqual(['one', 'two']);
  });
});
