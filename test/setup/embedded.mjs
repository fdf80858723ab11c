import { TEMPLATE_PATH } from './pglite-template.mjs';
// e2e in the zero-set-up mode: PGlite in memory and the in-memory cache.
process.env.TEST_MODE = 'embedded';
process.env.DATA_DIR = 'memory';
// Made by the global setup; processes a test starts inherit it.
process.env.PGLITE_TEMPLATE = TEMPLATE_PATH;
delete process.env.DATABASE_URL;
delete process.env.REDIS_URL;
