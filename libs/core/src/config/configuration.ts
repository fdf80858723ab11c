import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { readEnvironment } from './environment.js';

/** `true`/`false`, a hop count, or a list of trusted proxy addresses, as Fastify's `trustProxy` takes them. */
function parseTrustProxy(value: string): boolean | number | string[] {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false' || text === '') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return value.split(',').map((entry) => entry.trim()).filter(Boolean);
}

function parseOrigins(value: string): true | string[] | false {
  const origins = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (origins.length === 0) return false;
  return origins.includes('*') ? true : origins;
}

export const appConfig = registerAs('app', () => {
  const env = readEnvironment();
  return { nodeEnv: env.NODE_ENV, debugMode: env.DEBUG_MODE, production: env.NODE_ENV === 'production' };
});

export const httpConfig = registerAs('http', () => {
  const env = readEnvironment();
  return {
    port: env.PORT,
    host: env.HOST,
    bodyLimit: env.BODY_LIMIT,
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
});

export const databaseConfig = registerAs('database', () => {
  const env = readEnvironment();
  const inMemory = env.DATA_DIR === 'memory';
  return {
    url: env.DATABASE_URL,
    engine: env.DATABASE_URL ? ('postgres' as const) : ('pglite' as const),
    /** Where PGlite keeps its files; undefined for an in-memory database. */
    dataDir: inMemory ? undefined : resolve(env.DATA_DIR),
    /** A dumped data directory a new embedded database starts from. */
    template: env.PGLITE_TEMPLATE ? resolve(env.PGLITE_TEMPLATE) : undefined,
    migrationsRun: env.MIGRATIONS_RUN,
  };
});

export const redisConfig = registerAs('redis', () => {
  const env = readEnvironment();
  return { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS };
});

export const loggingConfig = registerAs('logging', () => {
  const env = readEnvironment();
  return { level: env.LOG_LEVEL, pretty: env.DEBUG_MODE, destination: env.LOG_DESTINATION };
});

export const healthConfig = registerAs('health', () => {
  const env = readEnvironment();
  const megabyte = 1024 * 1024;
  return {
    heapMaxBytes: env.HEALTH_HEAP_MAX_MB * megabyte,
    rssMaxBytes: env.HEALTH_RSS_MAX_MB * megabyte,
    diskMaxUsedRatio: env.HEALTH_DISK_MAX_USED_PERCENT / 100,
    /** The disk that holds the embedded database, or the working directory when it lives elsewhere. */
    diskPath: env.DATABASE_URL || env.DATA_DIR === 'memory' ? process.cwd() : resolve(env.DATA_DIR),
  };
});

export const shutdownConfig = registerAs('shutdown', () => {
  const env = readEnvironment();
  return { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS };
});

export const authConfig = registerAs('auth', () => {
  const env = readEnvironment();
  return {
    /** SHA-256 of API_KEY: the built-in admin's key is compared against this, never kept in clear. */
    staticKeyHash: env.API_KEY ? createHash('sha256').update(env.API_KEY).digest('hex') : undefined,
    cacheTtlMs: env.AUTH_CACHE_TTL_SECONDS * 1000,
    lastUsedIntervalMs: env.API_KEY_LAST_USED_INTERVAL_SECONDS * 1000,
  };
});

export const rateLimitConfig = registerAs('rateLimit', () => {
  const env = readEnvironment();
  return { limit: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_SECONDS * 1000 };
});

export const historyConfig = registerAs('history', () => {
  const env = readEnvironment();
  return {
    retentionDays: env.HISTORY_RETENTION_DAYS,
    retentionIntervalMs: env.HISTORY_RETENTION_INTERVAL_MINUTES * 60_000,
    resultMaxBytes: env.HISTORY_RESULT_MAX_BYTES,
    flushIntervalMs: env.HISTORY_FLUSH_INTERVAL_MS,
    batchSize: env.HISTORY_BATCH_SIZE,
    bufferMax: env.HISTORY_BUFFER_MAX,
    contextMessages: env.HISTORY_CONTEXT_MESSAGES,
    contextTtlMs: env.HISTORY_CONTEXT_TTL_SECONDS * 1000,
  };
});

export const toolsConfig = registerAs('tools', () => {
  const env = readEnvironment();
  return {
    maxResultBytes: env.TOOL_MAX_RESULT_BYTES,
    httpAllowlist: env.TOOLS_HTTP_ALLOWLIST,
    httpMaxResponseBytes: env.TOOLS_HTTP_MAX_RESPONSE_BYTES,
    upstreamSyncIntervalMs: env.UPSTREAM_SYNC_INTERVAL_SECONDS * 1000,
    upstreamConnectTimeoutMs: env.UPSTREAM_CONNECT_TIMEOUT_MS,
  };
});

export const metricsConfig = registerAs('metrics', () => {
  const env = readEnvironment();
  return { enabled: env.METRICS_ENABLED, token: env.METRICS_TOKEN };
});

export const mcpConfig = registerAs('mcp', () => {
  const env = readEnvironment();
  return {
    allowAnonymous: env.MCP_ALLOW_ANONYMOUS,
    conformanceFixtures: env.MCP_CONFORMANCE_FIXTURES,
    allowedHosts: env.MCP_ALLOWED_HOSTS,
    allowedOrigins: env.MCP_ALLOWED_ORIGINS,
    sessionIdleMs: env.MCP_SESSION_IDLE_SECONDS * 1000,
    pageSize: env.MCP_PAGE_SIZE,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
  };
});

export const secretsConfig = registerAs('secrets', () => {
  const env = readEnvironment();
  const previous = (env.APP_SECRET_PREVIOUS ?? '').split(',').map((secret) => secret.trim()).filter(Boolean);
  return { current: env.APP_SECRET, previous };
});

/** The LLM providers agents run on: a provider is configured when its variables are set, never from anywhere else. */
export const llmConfig = registerAs('llm', () => {
  const env = readEnvironment();
  return {
    openai: { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL },
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL },
    ollama: { baseUrl: env.OLLAMA_BASE_URL },
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
  };
});

/**
 * Agent runs: how an instance holds them and replays them to whoever follows them, and the guards on runs that
 * delegate (coordinators, agent tools): how deep, and what a whole tree of runs may spend.
 */
export const agentsConfig = registerAs('agents', () => {
  const env = readEnvironment();
  return {
    heartbeatMs: env.AGENT_RUN_HEARTBEAT_SECONDS * 1000,
    /** A run whose holder has not marked it alive for this long is taken for lost. */
    staleAfterMs: env.AGENT_RUN_HEARTBEAT_SECONDS * 3000,
    eventsTtlMs: env.AGENT_RUN_EVENTS_TTL_SECONDS * 1000,
    /** On shutdown, how long runs in flight may go on before they are stopped as RUN_INTERRUPTED. */
    shutdownGraceMs: Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2),
    maxDepth: env.AGENT_MAX_DEPTH,
    runMaxSteps: env.AGENT_RUN_MAX_STEPS,
    runMaxTokens: env.AGENT_RUN_MAX_TOKENS,
  };
});

/** `smtp://user:password@host:port`, as the email channel takes it: TLS from the start for smtps:// (port 465 by default). */
function parseSmtpUrl(value: string) {
  const url = new URL(value);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
}

/** Alert evaluation and delivery, and the channels configured by environment (each present only when its variables are set). */
export const alertingConfig = registerAs('alerting', () => {
  const env = readEnvironment();
  return {
    enabled: env.ALERTS_ENABLED,
    evalIntervalMs: env.ALERT_EVAL_INTERVAL_MS,
    defaultRules: env.ALERT_DEFAULT_RULES,
    dependencyFailures: env.ALERT_DEPENDENCY_FAILURES,
    cooldownSeconds: env.ALERT_COOLDOWN_SECONDS,
    delivery: { attempts: env.ALERT_DELIVERY_ATTEMPTS, backoffMs: env.ALERT_DELIVERY_BACKOFF_MS, timeoutMs: env.ALERT_DELIVERY_TIMEOUT_MS },
    source: env.ALERT_SOURCE ?? (env.PUBLIC_URL ? new URL(env.PUBLIC_URL).host : hostname()),
    channels: {
      slack: env.ALERT_SLACK_WEBHOOK_URL ? { webhookUrl: env.ALERT_SLACK_WEBHOOK_URL } : undefined,
      pagerduty: env.ALERT_PAGERDUTY_ROUTING_KEY
        ? { routingKey: env.ALERT_PAGERDUTY_ROUTING_KEY, ...(env.ALERT_PAGERDUTY_URL && { url: env.ALERT_PAGERDUTY_URL }) }
        : undefined,
      webhook: env.ALERT_WEBHOOK_URL ? { url: env.ALERT_WEBHOOK_URL, ...(env.ALERT_WEBHOOK_SECRET && { secret: env.ALERT_WEBHOOK_SECRET }) } : undefined,
      email: env.ALERT_SMTP_URL ? { ...parseSmtpUrl(env.ALERT_SMTP_URL), from: env.ALERT_EMAIL_FROM!, to: env.ALERT_EMAIL_TO } : undefined,
      sms: env.ALERT_TWILIO_ACCOUNT_SID
        ? {
            accountSid: env.ALERT_TWILIO_ACCOUNT_SID,
            authToken: env.ALERT_TWILIO_AUTH_TOKEN!,
            from: env.ALERT_TWILIO_FROM!,
            to: env.ALERT_SMS_TO,
            ...(env.ALERT_TWILIO_BASE_URL && { baseUrl: env.ALERT_TWILIO_BASE_URL }),
          }
        : undefined,
    },
  };
});

export const CONFIG_NAMESPACES = [
  appConfig,
  httpConfig,
  databaseConfig,
  redisConfig,
  loggingConfig,
  healthConfig,
  shutdownConfig,
  authConfig,
  rateLimitConfig,
  historyConfig,
  toolsConfig,
  secretsConfig,
  mcpConfig,
  metricsConfig,
  llmConfig,
  agentsConfig,
  alertingConfig,
];
