import type { Metrics } from '../../metrics.service.js';

/**
 * Traffic as flat counters, the form in which it is summed across time buckets and instances (Redis hash fields):
 * `http:n`, `http:5xx`, `http:le:<seconds>` (cumulative histogram buckets, `+Inf` last), `tool:<name>:n`, `tool:<name>:err`.
 */
export type TrafficCounts = Map<string, number>;

const HTTP_TOTAL = 'http:n';
const HTTP_ERRORS = 'http:5xx';
const HTTP_BUCKET = 'http:le:';
const TOOL = 'tool:';

function add(counts: TrafficCounts, field: string, value: number): void {
  if (value !== 0) counts.set(field, (counts.get(field) ?? 0) + value);
}

/** Everything this instance counted since it started, read from its Prometheus registry. */
export async function readCumulativeCounts(metrics: Metrics): Promise<TrafficCounts> {
  const counts: TrafficCounts = new Map();
  for (const sample of (await metrics.httpRequestDuration.get()).values) {
    // A histogram may keep its series' labels apart from the bucket's own `le` (prom-client's sharedLabels).
    const labels: { status?: unknown; le?: unknown } = { ...(sample as { sharedLabels?: object }).sharedLabels, ...sample.labels };
    if (sample.metricName === 'http_request_duration_seconds_count') {
      add(counts, HTTP_TOTAL, sample.value);
      if (Number(labels.status) >= 500) add(counts, HTTP_ERRORS, sample.value);
    } else if (sample.metricName === 'http_request_duration_seconds_bucket') {
      add(counts, `${HTTP_BUCKET}${labels.le}`, sample.value);
    }
  }
  for (const { labels, value } of (await metrics.toolInvocations.get()).values) {
    // Refusals are the caller's mistakes and cancellations the caller's choice: neither says the tool is failing.
    if (labels.status === 'refused' || labels.status === 'cancelled') continue;
    add(counts, `${TOOL}${labels.tool}:n`, value);
    if (labels.status === 'error' || labels.status === 'timeout') add(counts, `${TOOL}${labels.tool}:err`, value);
  }
  return counts;
}

/** What grew from `before` to `after`; a counter that went down (a restart) counts from zero. */
export function countsSince(before: TrafficCounts, after: TrafficCounts): TrafficCounts {
  const delta: TrafficCounts = new Map();
  for (const [field, value] of after) {
    const previous = before.get(field) ?? 0;
    add(delta, field, value >= previous ? value - previous : value);
  }
  return delta;
}

export function addCounts(into: TrafficCounts, counts: Iterable<[string, number]>): TrafficCounts {
  for (const [field, value] of counts) add(into, field, value);
  return into;
}

export interface HttpTraffic {
  requests: number;
  errors: number;
  /** [upper bound in seconds, requests at or under it], ascending, `Infinity` last. */
  buckets: [number, number][];
}

export function httpTraffic(counts: TrafficCounts): HttpTraffic {
  const buckets: [number, number][] = [];
  for (const [field, value] of counts) {
    if (field.startsWith(HTTP_BUCKET)) buckets.push([Number(field.slice(HTTP_BUCKET.length).replace('+Inf', 'Infinity')), value]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  return { requests: counts.get(HTTP_TOTAL) ?? 0, errors: counts.get(HTTP_ERRORS) ?? 0, buckets };
}

export function toolTraffic(counts: TrafficCounts): Map<string, { calls: number; errors: number }> {
  const tools = new Map<string, { calls: number; errors: number }>();
  for (const [field, value] of counts) {
    if (!field.startsWith(TOOL)) continue;
    const end = field.lastIndexOf(':');
    const name = field.slice(TOOL.length, end);
    const entry = tools.get(name) ?? { calls: 0, errors: 0 };
    if (field.endsWith(':n')) entry.calls += value;
    else entry.errors += value;
    tools.set(name, entry);
  }
  return tools;
}

/**
 * The q-quantile in seconds from cumulative histogram buckets, interpolated within its bucket as Prometheus'
 * histogram_quantile does; past the last finite bound it is that bound. Undefined without observations.
 */
export function histogramQuantile(q: number, buckets: [number, number][]): number | undefined {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      return count === lowerCount ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
