import { availableParallelism } from 'node:os';
import { pathsToModuleNameMapper } from 'ts-jest';
import ts from 'typescript';

// The @app/* aliases live in tsconfig.json only; jest reads them from there so the two never drift.
const { config: tsconfig } = ts.readConfigFile('./tsconfig.json', ts.sys.readFile);
const moduleNameMapper = {
  ...pathsToModuleNameMapper(tsconfig.compilerOptions.paths, { prefix: '<rootDir>/', useESM: true }),
  // Sources import siblings as ./x.js (Node ESM); jest resolves them to the .ts files.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      useESM: true,
      tsconfig: 'tsconfig.spec.json',
    },
  ],
};

// ESM-only packages that CommonJS dependencies require(); Node 20's jest can't load those untransformed.
const REQUIRED_ESM = ['content-disposition', 'cookie'];
transform[`/node_modules/(${REQUIRED_ESM.join('|')})/.+\\.js$`] = [
  'ts-jest',
  { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
];

const common = {
  transformIgnorePatterns: [`/node_modules/(?!(${REQUIRED_ESM.join('|')})/)`],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform,
  testEnvironment: 'node',
  rootDir: '.',
};

/** @type {import('jest').Config} */
export default {
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  // Tests and hooks alike. A hook that boots an app compiles and loads the whole app in a fresh worker: on a loaded
  // 2-core machine (two workers, load 5) that passed 30 s, and history-retention boots two.
  testTimeout: 120_000,
  // Suites mostly wait on Postgres, Redis and child processes, so one worker per core, and at least two, cuts the wall
  // time (jest's default leaves a core free: one worker on a 2-core machine). Each worker has its own database and
  // Redis db (test/setup), and Redis has 16: at most 8 workers leaves room for TEST_WORKER_OFFSET.
  maxWorkers: Math.min(Math.max(availableParallelism(), 2), 8),
  // ts-jest's type-checking compiler and the apps each suite boots add up; a fresh worker past 1 GB keeps heaps small.
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e:postgres',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/e2e-common.mjs', '<rootDir>/test/setup/postgres-redis.mjs'],
    },
    {
      ...common,
      displayName: 'e2e:embedded',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/e2e-common.mjs', '<rootDir>/test/setup/embedded.mjs'],
    },
  ],
};
