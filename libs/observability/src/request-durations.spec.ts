import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-durations.js';

const BOUNDS = [0.005, 0.1, 1];
/** Requests as [route, method, status, seconds]: on a bound, between bounds, past every bound, several series. */
const REQUESTS: [string, string, number, number][] = [
  ['/tools/:name', 'GET', 200, 0.001],
  ['/tools/:name', 'GET', 200, 0.005],
  ['/tools/:name', 'GET', 404, 0.05],
  ['/tools/:name', 'HEAD', 200, 0.002],
  ['/health/live', 'GET', 200, 0.0004],
  ['/tools/:name', 'GET', 200, 2.5],
  ['unmatched', 'POST', 404, 1],
];

const sortedLines = async (registry: Registry) => (await registry.metrics()).split('\n').filter(Boolean).sort();

describe('RequestDurations', () => {
  it("scrapes exactly as prom-client's Histogram does for the same requests", async () => {
    const ours = new Registry();
    const durations = new RequestDurations(ours, BOUNDS);
    const reference = new Registry();
    const histogram = new Histogram({ name: durations.name, help: durations.help, labelNames: ['method', 'route', 'status'], buckets: BOUNDS, registers: [reference] });
    const recorders = new Map<string, ReturnType<RequestDurations['recorder']>>();
    for (const [route, method, status, seconds] of REQUESTS) {
      if (!recorders.has(route)) recorders.set(route, durations.recorder(route));
      recorders.get(route)!(method, status, seconds);
      histogram.observe({ method, route, status }, seconds);
    }
    expect(await sortedLines(ours)).toEqual(await sortedLines(reference));
    expect(await ours.metrics()).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/tools/:name",status="200"} 2');
  });

  it('keeps one series per method, route and status, even for a route template registered twice', async () => {
    const registry = new Registry();
    const durations = new RequestDurations(registry, BOUNDS);
    durations.recorder('/tools')('GET', 200, 0.01);
    durations.recorder('/tools')('GET', 200, 0.02);
    const counts = (await registry.metrics()).split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));
    expect(counts).toEqual(['http_request_duration_seconds_count{method="GET",route="/tools",status="200"} 2']);
  });

  it('zeroes its series when the registry resets, and goes on counting after', async () => {
    const registry = new Registry();
    const record = new RequestDurations(registry, BOUNDS).recorder('/tools');
    record('GET', 200, 0.01);
    registry.resetMetrics();
    record('GET', 200, 0.5);
    const text = await registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/tools",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_sum{method="GET",route="/tools",status="200"} 0.5');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/tools",status="200"} 0');
  });
});
