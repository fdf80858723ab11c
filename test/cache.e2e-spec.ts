import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisService } from '@app/core';
import { closedPort } from './support/tcp-proxy.js';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';

describe('cache', () => {
  let app: NestFastifyApplication;
  let cache: Cache;

  beforeAll(async () => {
    app = await createTestApp();
    cache = app.get(CACHE_MANAGER);
  });
  afterAll(async () => {
    await app.close();
  });

  it('stores, reads and expires values', async () => {
    await resetState(app);
    await cache.set('greeting', { text: 'hello' }, 60_000);
    expect(await cache.get('greeting')).toEqual({ text: 'hello' });
    await cache.set('short', 1, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await cache.get('short')).toBeUndefined();
  });

  (onPostgres ? it : it.skip)('keeps its keys in Redis under the deployment prefix', async () => {
    await resetState(app);
    const redis = app.get(RedisService);
    await cache.set('probe', 'value', 60_000);
    const keys = await redis.client!.keys('*');
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
});
