import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { RedisService } from '@app/core';
import { closedPort, TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait-for.js';
import { createTestApp, onPostgres, resetState, useTestApp } from './support/test-app.js';

describe('cache', () => {
  const app = useTestApp();
  let cache: Cache;

  beforeAll(() => {
    cache = app().get(CACHE_MANAGER);
  });

  it('stores, reads and expires values', async () => {
    await resetState(app());
    await cache.set('greeting', { text: 'hello' }, 60_000);
    expect(await cache.get('greeting')).toEqual({ text: 'hello' });
    await cache.set('short', 1, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await cache.get('short')).toBeUndefined();
  });

  (onPostgres ? it : it.skip)('keeps its keys in Redis under the deployment prefix', async () => {
    await resetState(app());
    const redis = app().get(RedisService);
    await cache.set('probe', 'value', 60_000);
    const keys = await redis.client!.keys('*probe');
    expect(keys).toEqual([`${process.env.REDIS_KEY_PREFIX}cache:probe`]);
  });

  it('degrades to misses, without waiting, when Redis is unreachable', async () => {
    const broken = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
    try {
      const brokenCache = broken.get<Cache>(CACHE_MANAGER);
      const started = Date.now();
      await expect(brokenCache.set('k', 'v', 1000)).resolves.not.toThrow();
      expect(await brokenCache.get('k')).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await broken.close();
    }
  });

  (onPostgres ? it : it.skip)('recovers by itself when Redis comes back', async () => {
    const target = new URL(process.env.REDIS_URL!);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const port = await proxy.start();
    const viaProxy = new URL(target);
    viaProxy.port = String(port);
    const flaky = await createTestApp({ env: { REDIS_URL: viaProxy.toString() } });
    try {
      const flakyCache = flaky.get<Cache>(CACHE_MANAGER);
      // Only the Redis indicator is under test; the others depend on the test process (its heap, say).
      const redisStatus = async () => (await flaky.inject({ method: 'GET', url: '/health/ready' })).json().details.redis.status;
      await waitFor(async () => (await redisStatus()) === 'up');
      await flakyCache.set('survivor', 1, 60_000);

      await proxy.cut();
      await waitFor(async () => (await redisStatus()) === 'down');
      expect(await flakyCache.get('survivor')).toBeUndefined();

      await proxy.start(port);
      await waitFor(async () => (await redisStatus()) === 'up', 10_000);
      await waitFor(async () => (await flakyCache.get('survivor')) === 1, 5_000);
    } finally {
      await flaky.close();
      await proxy.cut();
    }
  });
});

