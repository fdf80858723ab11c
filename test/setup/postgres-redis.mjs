// e2e against the machine's Postgres and Redis; each jest worker gets its own database and Redis db index.
// TEST_WORKER_OFFSET lets a second run on the same machine keep off the first one's databases and Redis dbs.
const worker = Number(process.env.JEST_WORKER_ID ?? '1') + Number(process.env.TEST_WORKER_OFFSET ?? '0');
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
process.env.TEST_MODE = 'postgres';
process.env.DATABASE_URL = `${base}_w${worker}`;
process.env.REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/${worker}`;
process.env.REDIS_KEY_PREFIX = `mcpa:w${worker}:`;
delete process.env.DATA_DIR;
