import type { RedisService } from '@app/core';
import type { LegacySessions } from '@app/mcp';
import type { DataSource } from 'typeorm';
import { DependencyGauges } from './dependency-gauges.js';
import { Metrics } from './metrics.service.js';

/** The gauges DependencyGauges registers over a database whose ping does what `ping` does. */
function gaugesOver(ping: () => Promise<unknown>, options: { pool?: boolean; redis?: boolean } = {}): Metrics {
  const metrics = new Metrics();
  const dataSource = { query: ping, driver: options.pool ? { master: { totalCount: 3, idleCount: 2, waitingCount: 0 } } : {} } as unknown as DataSource;
  const redis = { configured: options.redis ?? false, ready: true } as RedisService;
  const sessions = { localServers: () => [] } as unknown as LegacySessions;
  new DependencyGauges(metrics, dataSource, redis, sessions).onModuleInit();
  return metrics;
}

const value = async (metrics: Metrics, name: string) => (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;

describe('DependencyGauges', () => {
  it('reports the database up while it answers its ping, and down when the ping fails', async () => {
    expect(await value(gaugesOver(() => Promise.resolve([{ '?column?': 1 }])), 'mcpa_db_up')).toBe(1);
    expect(await value(gaugesOver(() => Promise.reject(new Error('connection refused'))), 'mcpa_db_up')).toBe(0);
  });

  it('reports a database that does not answer as down within the ping timeout, never holding the scrape', async () => {
    const started = Date.now();
    expect(await value(gaugesOver(() => new Promise(() => undefined)), 'mcpa_db_up')).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('adds the pool gauges only over a pool, and Redis only when it is configured', async () => {
    const embedded = gaugesOver(() => Promise.resolve([]));
    expect(embedded.registry.getSingleMetric('mcpa_db_pool_connections')).toBeUndefined();
    expect(embedded.registry.getSingleMetric('mcpa_redis_up')).toBeUndefined();
    const scaled = gaugesOver(() => Promise.resolve([]), { pool: true, redis: true });
    expect(await value(scaled, 'mcpa_db_pool_connections')).toBe(3);
    expect(await value(scaled, 'mcpa_redis_up')).toBe(1);
  });
});
