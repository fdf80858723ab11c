import { readFileSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { AgentsEnvironment } from './agents-environment.js';
import { ALERTING_SECRET_KEYS, alertingProblem } from './alerting-environment.js';
import { OptionalHttpUrl, toBoolean, toBytes, toInteger, toList } from './environment-transforms.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LOG_DESTINATIONS = ['stdout', 'stderr'] as const;
export type LogDestination = (typeof LOG_DESTINATIONS)[number];

/** Thrown when a variable is missing or malformed; main.ts prints its one-line message and exits 1. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const HOST_LABEL = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?';
/** A hostname (optionally `*.`-prefixed), an IPv4 address or range, or an IPv6 address or range. */
const ALLOWLIST_ENTRY = new RegExp(
  `^((\\*\\.)?(?![\\d.]+$)${HOST_LABEL}(\\.${HOST_LABEL})*` +
    `|(${IPV4_OCTET}\\.){3}${IPV4_OCTET}(\\/(3[0-2]|[12]?\\d))?` +
    `|\\[?[0-9a-f]*:[0-9a-f:.]*\\]?(\\/(12[0-8]|1[01]\\d|[1-9]?\\d))?)$`,
  'i',
);

/**
 * Every variable the server reads. A JSON file named by APP_CONFIG may hold the same keys; the environment wins.
 * Defaults give the zero-set-up mode: embedded PGlite in ./data and an in-memory cache. The alerting variables are
 * declared in their own file.
 */
export class Environment extends AgentsEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  /**
   * A PGlite data directory dumped as an uncompressed tar (`dumpDataDir('none')`) that a new embedded database
   * starts from instead of running initdb (seconds): for short-lived databases, tests above all.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  PGLITE_TEMPLATE?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'mcpa:';

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(60_000)
  REDIS_CONNECT_TIMEOUT_MS = 1000;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters long' })
  API_KEY?: string;

  /** Encrypts stored credentials (upstream headers, HTTP tool secrets). Required in production. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'APP_SECRET must be at least 32 characters long' })
  APP_SECRET?: string;

  /** Prometheus metrics at GET /metrics, and the per-request timing behind them. */
  @Transform(toBoolean)
  @IsBoolean()
  METRICS_ENABLED = true;

  /** When set, GET /metrics answers only requests carrying `Authorization: Bearer <METRICS_TOKEN>`. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;

  /** Comma-separated earlier APP_SECRETs, still accepted for reading while their values are re-encrypted. */
  @IsOptional()
  @IsString()
  APP_SECRET_PREVIOUS?: string;

  /** Seconds a resolved API key stays cached (Redis or memory); revocation drops the entry at once regardless. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  AUTH_CACHE_TTL_SECONDS = 60;

  /** A key's lastUsedAt is written at most once per this many seconds per instance. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  API_KEY_LAST_USED_INTERVAL_SECONDS = 60;

  /** Requests allowed per API key (per client IP when anonymous) in each window; 0 turns rate limiting off. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  RATE_LIMIT_MAX = 600;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Conversations idle and tool invocations older than this are purged; 0 keeps history forever. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  HISTORY_RETENTION_DAYS = 0;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  HISTORY_RETENTION_INTERVAL_MINUTES = 60;

  /** A tool result bigger than this (as JSON) is stored truncated. */
  @Transform(toBytes)
  @IsInt()
  @Min(256)
  HISTORY_RESULT_MAX_BYTES = 16 * 1024;

  /** The recorder writes its buffer at least this often… */
  @Transform(toInteger)
  @IsInt()
  @Min(10)
  HISTORY_FLUSH_INTERVAL_MS = 250;

  /** …and as soon as this many invocations wait. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(5000)
  HISTORY_BATCH_SIZE = 500;

  /** Invocations held while the database is unreachable; past it the oldest are dropped (and logged). */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  HISTORY_BUFFER_MAX = 50_000;

  /** Messages of a conversation kept in the session cache for agent runs. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(500)
  HISTORY_CONTEXT_MESSAGES = 20;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  HISTORY_CONTEXT_TTL_SECONDS = 900;

  /** A tool result bigger than this (as JSON) is refused as an error result. */
  @Transform(toBytes)
  @IsInt()
  @Min(1024)
  TOOL_MAX_RESULT_BYTES = 1024 * 1024;

  /**
   * Comma-separated hosts HTTP tools may reach although they resolve to loopback/private addresses: hostnames,
   * `*.example.com` (subdomains), IP addresses or CIDR ranges (matched against IP-literal URLs). Metadata addresses stay refused.
   */
  @Transform(toList)
  @Matches(ALLOWLIST_ENTRY, { each: true, message: 'TOOLS_HTTP_ALLOWLIST entries must be hostnames, *.domain wildcards, IP addresses or CIDR ranges' })
  TOOLS_HTTP_ALLOWLIST: string[] = [];

  /** Outbound HTTP responses (http_request, HTTP tools) are read up to this size. */
  @Transform(toBytes)
  @IsInt()
  @Min(1024)
  TOOLS_HTTP_MAX_RESPONSE_BYTES = 1024 * 1024;

  /** Seconds between re-syncs of every enabled upstream MCP server's tools (one instance at a time); 0 turns it off. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  UPSTREAM_SYNC_INTERVAL_SECONDS = 300;

  /** How long connecting to an upstream MCP server may take before its tools answer 502. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(60_000)
  UPSTREAM_CONNECT_TIMEOUT_MS = 5000;

  /** Lets MCP callers without an API key in, as the built-in anonymous member. For conformance runs and local use only. */
  @Transform(toBoolean)
  @IsBoolean()
  MCP_ALLOW_ANONYMOUS = false;

  /** Registers the tools, resources and prompts the official MCP conformance suite calls. Never in production. */
  @Transform(toBoolean)
  @IsBoolean()
  MCP_CONFORMANCE_FIXTURES = false;

  /** Host header values /mcp answers (DNS-rebinding protection); hostnames, with an optional :port. */
  @Transform(toList)
  @IsString({ each: true })
  MCP_ALLOWED_HOSTS: string[] = ['localhost', '127.0.0.1', '[::1]'];

  /** Origin header values /mcp accepts from browsers; requests without an Origin are not browsers and pass. */
  @Transform(toList)
  @IsString({ each: true })
  MCP_ALLOWED_ORIGINS: string[] = ['http://localhost', 'http://127.0.0.1', 'http://[::1]'];

  /** Items per page of MCP tools/list, resources/list and prompts/list. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  MCP_PAGE_SIZE = 100;

  /** A 2025-era MCP session unused this long is closed and forgotten. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86_400)
  MCP_SESSION_IDLE_SECONDS = 1800;

  /** The URL clients reach this server at (behind a proxy); the OAuth resource metadata names it. Default: from the request. */
  @OptionalHttpUrl()
  PUBLIC_URL?: string;

  @Transform(toBoolean)
  @IsBoolean()
  DEBUG_MODE = false;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Where log lines go. The stdio MCP server sets `stderr`: its stdout carries the protocol. */
  @IsIn(LOG_DESTINATIONS)
  LOG_DESTINATION: LogDestination = 'stdout';

  /** Comma-separated origins, `*` for any; empty disables CORS. */
  @IsString()
  CORS_ORIGINS = '';

  /** `true`/`false`, a hop count, or comma-separated trusted proxy addresses/CIDRs. */
  @IsString()
  TRUST_PROXY = 'false';

  @Transform(toBytes)
  @IsInt({ message: 'BODY_LIMIT must be a size in bytes, or with a unit such as 512kb or 1mb' })
  @Min(1024)
  BODY_LIMIT = 1024 * 1024;

  @IsOptional()
  @IsString()
  APP_CONFIG?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /** Time readiness reports 503 before the server stops accepting, so load balancers drain it first. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  SHUTDOWN_DRAIN_DELAY_MS = 0;

  @Transform(toInteger)
  @IsInt()
  @Min(16)
  HEALTH_HEAP_MAX_MB = 1536;

  @Transform(toInteger)
  @IsInt()
  @Min(16)
  HEALTH_RSS_MAX_MB = 3072;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  HEALTH_DISK_MAX_USED_PERCENT = 95;
}

const TYPE_CONSTRAINTS = ['isInt', 'isBoolean', 'isIn', 'matches', 'isString'];

/** Values that may carry credentials are never echoed in an error message. */
const SECRET_KEYS = new Set(['API_KEY', 'APP_SECRET', 'APP_SECRET_PREVIOUS', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'OLLAMA_BASE_URL', ...ALERTING_SECRET_KEYS]);

const KNOWN_KEYS = new Set(Object.keys(new Environment()).concat(['DATABASE_URL', 'REDIS_URL', 'API_KEY', 'APP_SECRET', 'APP_SECRET_PREVIOUS', 'APP_CONFIG', 'METRICS_TOKEN']));

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`APP_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`APP_CONFIG: ${path} must hold a JSON object`);
  }
  const unknown = Object.keys(parsed).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(`APP_CONFIG: ${path} has unknown key ${unknown.join(', ')}`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads and validates the configuration; throws a ConfigurationError naming the first bad variable. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  // An empty variable (`API_KEY=` in a compose file) means unset, as it does to most tools.
  const fromEnv = Object.fromEntries(Object.entries(env).filter(([key, value]) => KNOWN_KEYS.has(key) && value !== undefined && value !== ''));
  const fromFile = env.APP_CONFIG ? readConfigFile(env.APP_CONFIG) : {};
  const merged = { ...fromFile, ...fromEnv };
  const environment = plainToInstance(Environment, merged, { exposeDefaultValues: true });
  const [error] = validateSync(environment, { skipMissingProperties: false });
  if (error) {
    const constraints = error.constraints ?? {};
    // A wrong type says more than a range check on it would.
    const key = TYPE_CONSTRAINTS.find((name) => name in constraints) ?? Object.keys(constraints)[0];
    const message = constraints[key] ?? `${error.property} is invalid`;
    const raw = (merged as Record<string, unknown>)[error.property];
    const shown = raw !== undefined && !SECRET_KEYS.has(error.property) ? ` (got "${String(raw)}")` : '';
    throw new ConfigurationError(`${message}${shown}`);
  }
  const alerting = alertingProblem(environment);
  if (alerting) throw new ConfigurationError(alerting);
  if (environment.NODE_ENV === 'production' && !environment.APP_SECRET) {
    throw new ConfigurationError('APP_SECRET is required when NODE_ENV=production: it encrypts stored credentials');
  }
  return environment;
}
