import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';

const ACQUIRE_TIMEOUT_MS = 30_000;

/** What the embedded database starts from: its directory (none: in memory) and, for a new one, a dump to load. */
export interface EmbeddedDatabaseOptions {
  dataDir?: string;
  loadDataDir?: Blob;
}

type Operation = 'query' | 'exec' | 'close';
interface Answer {
  id: number;
  result?: unknown;
  error?: Record<string, unknown> & { message: string };
}

/**
 * PGlite on a thread of its own (pglite-worker.mjs). Postgres runs in WebAssembly there, so a batch of history rows
 * (tens of milliseconds of it) no longer holds up every request waiting on the event loop, and on a machine with a
 * core to spare it runs beside the server instead of taking turns with it. The thread keeps the process alive only
 * while a request is waiting on it.
 */
class EmbeddedDatabase {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure?: Error;

  constructor(options: EmbeddedDatabaseOptions) {
    this.worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: options });
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => this.settle(answer));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the embedded database thread exited (code ${code})`)));
  }

  request(op: Operation, text?: string, values?: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, text, values });
    });
  }

  async close(): Promise<void> {
    try {
      await this.request('close');
    } finally {
      this.failure ??= new Error('the embedded database is closed');
      await this.worker.terminate();
    }
  }

  private settle({ id, result, error }: Answer): void {
    const request = this.waiting.get(id);
    if (!request) return;
    this.forget(id);
    if (error) request.reject(Object.assign(new Error(error.message), error));
    else request.resolve(result);
  }

  /** The thread is gone: whatever waits on it fails, and so does everything after. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, request] of this.waiting) {
      this.forget(id);
      request.reject(this.failure);
    }
  }

  private forget(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }
}

/** The embedded database's one session, handed to one TypeORM query runner at a time, shaped like a `pg` client. */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: EmbeddedDatabase) {
    super();
  }

  /** Without parameters a string may hold several statements (migrations), which only `exec` runs. */
  query(text: string, values?: unknown[]) {
    return values && values.length > 0 ? this.db.request('query', text, values) : this.db.request('exec', text);
  }
}

type ConnectCallback = (error: Error | null, client: PGliteClient | null, release: (error?: Error) => void) => void;

/**
 * A `pg.Pool` look-alike over one embedded PGlite database. PGlite is a single session, so the pool lends it to one
 * query runner at a time: a transaction owns it from BEGIN to COMMIT, and concurrent requests queue instead of
 * interleaving their statements into someone else's transaction.
 */
class PGlitePool extends EventEmitter {
  private readonly db: EmbeddedDatabase;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(options: EmbeddedDatabaseOptions) {
    super();
    this.db = new EmbeddedDatabase(options);
  }

  connect(callback: ConnectCallback): void {
    this.acquire().then(
      () => {
        let released = false;
        callback(null, new PGliteClient(this.db), () => {
          if (released) return;
          released = true;
          this.releaseNext();
        });
      },
      (error: Error) => callback(error, null, () => undefined),
    );
  }

  end(callback?: (error?: Error) => void): void {
    this.db.close().then(() => callback?.(), (error: Error) => callback?.(error));
  }

  private acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      // A runner that never releases (a query on the DataSource from inside a transaction) must fail, not hang.
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(new Error(`embedded database busy for ${ACQUIRE_TIMEOUT_MS} ms`));
      }, ACQUIRE_TIMEOUT_MS);
      this.waiting.push(grant);
    });
  }

  private releaseNext(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** The `driver` TypeORM's postgres driver takes in place of the `pg` module, for an embedded PGlite database. */
export function pgliteDriver(options: EmbeddedDatabaseOptions) {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super(options);
      }
    },
  };
}
