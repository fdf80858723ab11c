import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, readEnvironment } from './environment.js';

describe('readEnvironment', () => {
  it('gives the zero-set-up defaults', () => {
    const env = readEnvironment({});
    expect(env).toMatchObject({ PORT: 8000, DATA_DIR: './data', MIGRATIONS_RUN: true, DEBUG_MODE: false, LOG_LEVEL: 'info', LOG_DESTINATION: 'stdout', BODY_LIMIT: 1048576 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const env = readEnvironment({ DATABASE_URL: '', API_KEY: '', PORT: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.API_KEY).toBeUndefined();
    expect(env.PORT).toBe(8000);
  });

  it('parses numbers, booleans and sizes', () => {
    const env = readEnvironment({ PORT: '9000', DEBUG_MODE: 'yes', MIGRATIONS_RUN: '0', BODY_LIMIT: '512kb' });
    expect(env).toMatchObject({ PORT: 9000, DEBUG_MODE: true, MIGRATIONS_RUN: false, BODY_LIMIT: 524288 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer number (got "eighty")'],
    [{ PORT: '70000' }, 'PORT must not be greater than 65535 (got "70000")'],
    [{ DEBUG_MODE: 'maybe' }, 'DEBUG_MODE must be a boolean value (got "maybe")'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'mysql://user:pw@host/db' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ LOG_DESTINATION: 'file' }, 'LOG_DESTINATION must be one of the following values: stdout, stderr (got "file")'],
  ])('names the bad variable in one line: %j', (env, message) => {
    expect(() => readEnvironment(env)).toThrow(new ConfigurationError(message));
  });

  it('never echoes a credential-bearing value', () => {
    expect(() => readEnvironment({ DATABASE_URL: 'mysql://user:s3cret@host/db' })).toThrow(/^(?!.*s3cret)/);
  });

  it('reads the LLM providers from the environment, with a model timeout and a small retry budget by default', () => {
    expect(readEnvironment({})).toMatchObject({ LLM_TIMEOUT_MS: 60_000, LLM_MAX_RETRIES: 1 });
    const env = readEnvironment({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OLLAMA_BASE_URL: 'http://ollama:11434', LLM_TIMEOUT_MS: '5000' });
    expect(env).toMatchObject({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OLLAMA_BASE_URL: 'http://ollama:11434', LLM_TIMEOUT_MS: 5000 });
    expect(() => readEnvironment({ ANTHROPIC_BASE_URL: 'api.anthropic.com' })).toThrow(new ConfigurationError('ANTHROPIC_BASE_URL must be an http(s):// URL'));
    expect(() => readEnvironment({ LLM_MAX_RETRIES: '10' })).toThrow('LLM_MAX_RETRIES must not be greater than 6');
  });

  it('never echoes a provider key or endpoint, which may carry credentials', () => {
    expect(() => readEnvironment({ OPENAI_BASE_URL: 'ftp://user:s3cret@host' })).toThrow(/^(?!.*s3cret)/);
  });

  it('reads APP_CONFIG, the environment winning, and refuses unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpa-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ PORT: 7000, LOG_LEVEL: 'debug', DEBUG_MODE: true }));
    expect(readEnvironment({ APP_CONFIG: file, LOG_LEVEL: 'warn' })).toMatchObject({ PORT: 7000, LOG_LEVEL: 'warn', DEBUG_MODE: true });
    writeFileSync(file, JSON.stringify({ PROT: 7000 }));
    expect(() => readEnvironment({ APP_CONFIG: file })).toThrow(`APP_CONFIG: ${file} has unknown key PROT`);
    writeFileSync(file, '[1]');
    expect(() => readEnvironment({ APP_CONFIG: file })).toThrow('must hold a JSON object');
    expect(() => readEnvironment({ APP_CONFIG: join(dir, 'missing.json') })).toThrow(/APP_CONFIG: cannot read/);
  });
});
