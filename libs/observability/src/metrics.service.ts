import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-durations.js';

/** Seconds; from a fast cache hit to a slow upstream call. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Every metric the app exports, in one registry of its own (never prom-client's global one: two apps in one process,
 * as in the tests, must not share counters). Labels are bounded: route templates, tool names from the registry,
 * fixed outcome and source vocabularies.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new RequestDurations(this.registry, LATENCY_BUCKETS);

  readonly toolInvocations = new Counter({
    name: 'mcpa_tool_invocations_total',
    help: 'Tool calls by tool, outcome (ok, error, timeout, cancelled, refused) and source (rest, mcp, agent)',
    labelNames: ['tool', 'status', 'source'] as const,
    registers: [this.registry],
  });

  readonly toolDuration = new Histogram({
    name: 'mcpa_tool_duration_seconds',
    help: 'Time tool calls took, by tool and source',
    labelNames: ['tool', 'source'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly toolCache = new Counter({
    name: 'mcpa_tool_cache_total',
    help: 'Result-cache lookups of cacheable tools by tool and result (hit, miss)',
    labelNames: ['tool', 'result'] as const,
    registers: [this.registry],
  });

  readonly agentRuns = new Counter({
    name: 'mcpa_agent_runs_total',
    help: 'Agent runs by agent and final status (succeeded, failed, timed_out, cancelled)',
    labelNames: ['agent', 'status'] as const,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'mcpa_llm_tokens_total',
    help: "Tokens of agents' model calls as the provider counted them, by provider, model and direction (input, output)",
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose value is read when Prometheus scrapes, from whoever owns the number (a promise is awaited). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}
