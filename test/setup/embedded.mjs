// e2e in the zero-set-up mode: PGlite in memory and the in-memory cache.
process.env.TEST_MODE = 'embedded';
process.env.DATA_DIR = 'memory';
delete process.env.DATABASE_URL;
delete process.env.REDIS_URL;
