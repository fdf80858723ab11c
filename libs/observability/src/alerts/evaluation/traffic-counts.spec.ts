import { countsSince, histogramQuantile, httpTraffic, toolTraffic, type TrafficCounts } from './traffic-counts.js';

describe('traffic counts', () => {
  it('takes the growth between two readings, and counts a reset counter from zero', () => {
    const before: TrafficCounts = new Map([['http:n', 10], ['http:5xx', 2], ['tool:calc:n', 5]]);
    const after: TrafficCounts = new Map([['http:n', 15], ['http:5xx', 2], ['tool:calc:n', 3], ['tool:calc:err', 1]]);
    expect([...countsSince(before, after)]).toEqual([['http:n', 5], ['tool:calc:n', 3], ['tool:calc:err', 1]]);
  });

  it('reads HTTP requests, errors and buckets in order, and tools by name', () => {
    const counts: TrafficCounts = new Map([['http:le:+Inf', 4], ['http:le:0.5', 3], ['http:le:0.1', 1], ['http:n', 4], ['http:5xx', 1], ['tool:a.b:n', 2], ['tool:a.b:err', 1]]);
    expect(httpTraffic(counts)).toEqual({ requests: 4, errors: 1, buckets: [[0.1, 1], [0.5, 3], [Infinity, 4]] });
    expect(toolTraffic(counts)).toEqual(new Map([['a.b', { calls: 2, errors: 1 }]]));
  });

  it('interpolates a quantile within its bucket, as histogram_quantile does', () => {
    // 100 requests: 50 under 0.1 s, 40 more under 0.5 s, 10 more under 1 s.
    const buckets: [number, number][] = [[0.1, 50], [0.5, 90], [1, 100], [Infinity, 100]];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.75);
    expect(histogramQuantile(0.95, [[0.1, 0], [Infinity, 0]])).toBeUndefined();
    // Past the last finite bound only that bound is known.
    expect(histogramQuantile(0.95, [[0.1, 1], [1, 2], [Infinity, 100]])).toBe(1);
  });
});
