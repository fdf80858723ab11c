import type { DestinationStream, pino } from 'pino';

/** Where batches go: pino's sonic-boom destination (the file descriptor writer). */
type LineSink = ReturnType<typeof pino.destination>;

/** Batches not yet written when the process exits, whatever ends it (process.exit, a fatal error). */
const unwritten = new Set<LineBatch>();
let exitHookInstalled = false;

/**
 * A pino destination that keeps lines in an array and hands them to the sink joined, once about `batchBytes` wait
 * or when flushed. sonic-boom can buffer by itself (`minLength`), but then measures its pending text with
 * `Buffer.byteLength` on every line, which flattens the concatenated string each time: a copy of the whole pending
 * buffer (up to 16 KB) per log line, the largest single allocation of an MCP call in a heap profile. Here a line
 * costs an array push, and a batch one join.
 */
export class LineBatch implements DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(
    private readonly sink: LineSink,
    private batchBytes: number,
  ) {
    unwritten.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => unwritten.forEach((batch) => batch.flushSync()));
    }
  }

  write(line: string): boolean {
    this.lines.push(line);
    // Characters, not bytes: the threshold only decides when to write, and no line is ever split.
    this.length += line.length;
    if (this.length >= this.batchBytes) this.handOver();
    return true;
  }

  /** Hands what is batched to the sink; the callback (pino's `logger.flush(cb)`) runs once the sink has written it. */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    if (callback) this.sink.flush(callback);
  }

  /** Writes everything now, blocking: at exit, when no later write would run. */
  flushSync(): void {
    this.handOver();
    this.sink.flushSync();
  }

  /**
   * Writes what is batched, and from now on hands each line over as it comes (the sink's own exit hook covers those):
   * the app is shutting down, and its batch no longer needs covering at exit.
   */
  stopBatching(): void {
    this.batchBytes = 0;
    this.handOver();
    unwritten.delete(this);
  }

  private handOver(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.sink.write(chunk);
  }
}
