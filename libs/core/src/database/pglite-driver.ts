import { EventEmitter } from 'node:events';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

const ACQUIRE_TIMEOUT_MS = 30_000;

/** One PGlite session handed to one TypeORM query runner at a time, shaped like a `pg` client. */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(text: string, values?: unknown[]) {
    if (values && values.length > 0) return this.db.query(text, values);
    // Without parameters a string may hold several statements (migrations); pg answers with the last one.
    const results = await this.db.exec(text);
    return results[results.length - 1] ?? { rows: [], fields: [], rowCount: 0 };
  }
}

type ConnectCallback = (error: Error | null, client: PGliteClient | null, release: (error?: Error) => void) => void;

/**
 * A `pg.Pool` look-alike over one embedded PGlite database. PGlite is a single session, so the pool lends it to one
 * query runner at a time: a transaction owns it from BEGIN to COMMIT, and concurrent requests queue instead of
 * interleaving their statements into someone else's transaction.
 */
class PGlitePool extends EventEmitter {
  private readonly db: Promise<PGlite>;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(options: PGliteOptions) {
    super();
    this.db = PGlite.create(options);
  }

  connect(callback: ConnectCallback): void {
    this.acquire().then(
      async () => {
        try {
          const client = new PGliteClient(await this.db);
          let released = false;
          callback(null, client, () => {
            if (released) return;
            released = true;
            this.releaseNext();
          });
        } catch (error) {
          this.releaseNext();
          callback(error as Error, null, () => undefined);
        }
      },
      (error: Error) => callback(error, null, () => undefined),
    );
  }

  end(callback?: (error?: Error) => void): void {
    this.db.then((db) => db.close()).then(() => callback?.(), (error: Error) => callback?.(error));
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
export function pgliteDriver(options: PGliteOptions) {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super(options);
      }
    },
  };
}
