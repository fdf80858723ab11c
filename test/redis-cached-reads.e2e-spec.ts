import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { RedisService } from '@app/core';
import { TcpProxy } from './support/tcp-proxy.js';
import { onPostgres } from './support/test-app.js';
import { waitFor } from './support/wait-for.js';

// RedisService.cachedGet against the real Redis: reads answered from memory, and every way a copy must stop being
// answered. Redis exists in the Postgres mode only.
(onPostgres ? describe : describe.skip)('Redis reads cached with client tracking', () => {
  const url = process.env.REDIS_URL!;
  const services: RedisService[] = [];
  let other: ReturnType<typeof createClient>;

  const service = async (redisUrl = url) => {
    const redis = new RedisService({ url: redisUrl, keyPrefix: 'mcpa:cached-reads:', connectTimeoutMs: 1000 });
    services.push(redis);
    await waitFor(async () => redis.ready && redis.cachingReads);
    return redis;
  };
  const key = () => `mcpa:cached-reads:${randomUUID()}`;
  /** A proxy in front of this worker's Redis, and the Redis URL through it. */
  const redisProxy = async () => {
    const target = new URL(url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const viaProxy = new URL(url);
    viaProxy.port = String(await proxy.start());
    return Object.assign(proxy, { url: viaProxy.toString() });
  };

  beforeAll(async () => {
    // Another instance's connection: its writes reach this process only as Redis's notices.
    other = createClient({ url });
    await other.connect();
  });
  afterAll(async () => {
    await Promise.all(services.map((redis) => redis.onApplicationShutdown()));
    await other.quit();
  });

  /** The GETs of `name` that reach Redis while `reads` runs, as MONITOR shows them. */
  const getsDuring = async (name: string, reads: () => Promise<void>): Promise<number> => {
    const monitor = other.duplicate();
    await monitor.connect();
    let gets = 0;
    let marked = false;
    await monitor.monitor((line) => {
      if (line.includes(`${name}:marker`)) marked = true;
      else if (line.includes(`"${name}"`) && /"GET"/i.test(line)) gets++;
    });
    try {
      await reads();
      // A command after the reads: once MONITOR has shown it, it has shown every GET before it.
      await other.set(`${name}:marker`, '1');
      await waitFor(async () => marked, 2000);
      return gets;
    } finally {
      await monitor.destroy();
    }
  };

  it('answers a repeated read from memory: Redis sees one GET', async () => {
    const redis = await service();
    const name = key();
    await other.set(name, 'a');
    const gets = await getsDuring(name, async () => {
      for (let read = 0; read < 3; read++) expect(await redis.cachedGet(name)).toBe('a');
    });
    expect(gets).toBe(1);
  });

  it('sees another connection’s write as soon as Redis notifies, well before its own time limit', async () => {
    const redis = await service();
    const name = key();
    await other.set(name, 'before');
    expect(await redis.cachedGet(name)).toBe('before');
    await other.set(name, 'after');
    // The copy lives 5 s at most; this shows the notice, not the time limit, ended it.
    await waitFor(async () => (await redis.cachedGet(name)) === 'after', 1000);
  });

  it('sees a key expire and a missing key appear', async () => {
    const redis = await service();
    const expiring = key();
    const missing = key();
    await other.set(expiring, 'short-lived', { expiration: { type: 'PX', value: 100 } });
    expect(await redis.cachedGet(expiring)).toBe('short-lived');
    expect(await redis.cachedGet(missing)).toBeNull();
    await other.set(missing, 'here now');
    await waitFor(async () => (await redis.cachedGet(missing)) === 'here now', 1000);
    await waitFor(async () => (await redis.cachedGet(expiring)) === null, 2000);
  });

  it('drops its own copy on forgetCached, so an instance reads its own write before Redis\'s notice arrives', async () => {
    const proxy = await redisProxy();
    try {
      const redis = await service(proxy.url);
      const name = key();
      await other.set(name, 'old');
      expect(await redis.cachedGet(name)).toBe('old');

      // Nothing reaches this instance from Redis for now: the notice of the write below waits in the proxy.
      proxy.hold();
      await other.set(name, 'new');
      expect(await redis.cachedGet(name)).toBe('old');
      redis.forgetCached(name);
      const read = redis.cachedGet(name);
      await new Promise((resolve) => setTimeout(resolve, 50));
      proxy.release();
      expect(await read).toBe('new');
    } finally {
      await proxy.cut();
    }
  });

  it('fails fast while Redis is unreachable, and drops what it held, so a write made meanwhile is read after', async () => {
    const proxy = await redisProxy();
    const redis = await service(proxy.url);
    const name = key();
    await other.set(name, 'before the outage');
    expect(await redis.cachedGet(name)).toBe('before the outage');

    await proxy.cut();
    // Written while this instance can't hear Redis's notice.
    await other.set(name, 'during the outage');
    await waitFor(async () => redis.cachedGet(name).then(() => false, () => true), 2000);
    const started = Date.now();
    await expect(redis.cachedGet(name)).rejects.toThrow(/not connected/);
    expect(Date.now() - started).toBeLessThan(100);

    await proxy.start();
    try {
      await waitFor(async () => redis.cachingReads, 10_000);
      expect(await redis.cachedGet(name)).toBe('during the outage');
    } finally {
      await proxy.cut();
    }
  });
});
