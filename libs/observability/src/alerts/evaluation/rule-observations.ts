import type { AlertRule } from '../entities/alert-rule.entity.js';
import type { Observation } from './rule-state.js';
import { histogramQuantile, httpTraffic, toolTraffic, type TrafficCounts } from './traffic-counts.js';

/** A readiness indicator's entry, as Terminus reports it. */
export interface IndicatorStatus {
  status: string;
  message?: unknown;
  [detail: string]: unknown;
}

export interface RuleInputs {
  /** Every readiness indicator by name; present when a dependency rule is enabled. */
  readiness?: Record<string, IndicatorStatus>;
  /** The traffic of the rule's window; `partial` when it is this instance's only, though there are others. */
  traffic?: { counts: TrafficCounts; partial: boolean };
}

type Rule = Pick<AlertRule, 'kind' | 'target' | 'threshold' | 'windowSeconds' | 'minSamples'>;

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

function windowText(rule: Rule, partial: boolean): string {
  return `over the last ${rule.windowSeconds} s${partial ? ", this instance's traffic only" : ''}`;
}

function tooFew(rule: Rule, subject: string, what: string, count: number, partial: boolean): Observation {
  return { subject, breaching: false, value: null, summary: `not enough traffic to judge: ${count} ${what} ${windowText(rule, partial)} (at least ${Math.max(1, rule.minSamples ?? 0)} needed)` };
}

function dependency(rule: Rule, readiness: Record<string, IndicatorStatus>): Observation[] {
  const target = rule.target ?? '';
  const indicator = readiness[target];
  // A check this deployment doesn't run (Redis without REDIS_URL) has nothing to say.
  if (!indicator) return [];
  const down = indicator.status !== 'up';
  const reason = typeof indicator.message === 'string' ? `: ${indicator.message}` : '';
  return [{ subject: '', breaching: down, value: down ? 1 : 0, summary: down ? `${target} is down (its readiness check fails${reason})` : `${target} is up` }];
}

function httpErrorRate(rule: Rule, counts: TrafficCounts, partial: boolean): Observation[] {
  const { requests, errors } = httpTraffic(counts);
  if (requests < (rule.minSamples ?? 0) || requests === 0) return [tooFew(rule, '', 'requests', requests, partial)];
  const ratio = errors / requests;
  return [{ subject: '', breaching: ratio > rule.threshold!, value: ratio, summary: `HTTP 5xx rate ${percent(ratio)} ${windowText(rule, partial)} (${errors} of ${requests} requests; threshold ${percent(rule.threshold!)})` }];
}

function httpLatency(rule: Rule, counts: TrafficCounts, partial: boolean): Observation[] {
  const { requests, buckets } = httpTraffic(counts);
  const p95 = histogramQuantile(0.95, buckets);
  if (requests < (rule.minSamples ?? 0) || p95 === undefined) return [tooFew(rule, '', 'requests', requests, partial)];
  const ms = Math.round(p95 * 1000);
  return [{ subject: '', breaching: ms > rule.threshold!, value: ms, summary: `HTTP p95 latency ${ms} ms ${windowText(rule, partial)} (${requests} requests; threshold ${rule.threshold} ms)` }];
}

function toolErrorRate(rule: Rule, counts: TrafficCounts, partial: boolean): Observation[] {
  const tools = toolTraffic(counts);
  const names = rule.target ? [rule.target] : [...tools.keys()];
  return names.map((name) => {
    const { calls, errors } = tools.get(name) ?? { calls: 0, errors: 0 };
    if (calls < (rule.minSamples ?? 0) || calls === 0) return tooFew(rule, name, `calls of ${name}`, calls, partial);
    const ratio = errors / calls;
    return {
      subject: name,
      breaching: ratio > rule.threshold!,
      value: ratio,
      summary: `tool ${name} error rate ${percent(ratio)} ${windowText(rule, partial)} (${errors} of ${calls} calls; threshold ${percent(rule.threshold!)})`,
    };
  });
}

/** What a rule sees now, per subject: one observation, one per tool, or none when the rule does not apply here. */
export function observe(rule: Rule, inputs: RuleInputs): Observation[] {
  if (rule.kind === 'dependency_down') return inputs.readiness ? dependency(rule, inputs.readiness) : [];
  if (!inputs.traffic) return [];
  const { counts, partial } = inputs.traffic;
  if (rule.kind === 'http_error_rate') return httpErrorRate(rule, counts, partial);
  if (rule.kind === 'http_latency_p95') return httpLatency(rule, counts, partial);
  return toolErrorRate(rule, counts, partial);
}
