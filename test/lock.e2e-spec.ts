import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LockService, RedisService } from '@app/core';
import { closedPort } from './support/tcp-proxy.js';
import { createTestApp, onPostgres, resetState } from './support/test-app.js';
import { waitFor } from './support/wait-for.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('locks', () => {
  let first: NestFastifyApplication;
  // Two instances share locks through Redis; the embedded mode is one instance, so both calls go to the same app.
  let second: NestFastifyApplication;
  let locks: LockService;

  beforeAll(async () => {
    first = await createTestApp();
    second = onPostgres ? await createTestApp() : first;
    for (const app of new Set([first, second])) {
      const redis = app.get(RedisService);
      if (redis.configured) await waitFor(async () => redis.ready);
    }
    locks = first.get(LockService);
  });
  afterAll(async () => {
    await Promise.all([...new Set([first, second])].map((app) => app?.close()));
  });
  beforeEach(async () => {
    await resetState(first);
  });

  it('runs only one of two concurrent holders of a name', async () => {
    const task = jest.fn(async () => {
      await sleep(100);
      return 'done';
    });
    const results = await Promise.all([
      first.get(LockService).runExclusive('job', 5000, task),
      second.get(LockService).runExclusive('job', 5000, task),
    ]);
    expect(task).toHaveBeenCalledTimes(1);
    expect(results).toEqual(expect.arrayContaining([{ ran: true, value: 'done' }, { ran: false }]));
  });

  it('releases the lock when the task ends, so a later call runs', async () => {
    expect(await locks.runExclusive('job', 5000, async () => 1)).toEqual({ ran: true, value: 1 });
    expect(await second.get(LockService).runExclusive('job', 5000, async () => 2)).toEqual({ ran: true, value: 2 });
    if (onPostgres) expect(await first.get(RedisService).client!.keys('*lock:*')).toEqual([]);
  });

  it('releases the lock when the task throws, and passes the error on', async () => {
    await expect(locks.runExclusive('job', 5000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await locks.runExclusive('job', 5000, async () => 'again')).toEqual({ ran: true, value: 'again' });
  });

  (onPostgres ? it : it.skip)('frees a lock whose holder died once its TTL passes', async () => {
    const redis = first.get(RedisService);
    // A holder that crashed leaves its key behind, with a token no one will release.
    await redis.client!.set(redis.key('lock:job'), 'dead-holder', { expiration: { type: 'PX', value: 300 } });
    const task = jest.fn(async () => 'ran');
    expect(await locks.runExclusive('job', 5000, task)).toEqual({ ran: false });
    expect(task).not.toHaveBeenCalled();
    await waitFor(async () => (await locks.runExclusive('job', 5000, task)).ran);
    expect(task).toHaveBeenCalledTimes(1);
  });

  (onPostgres ? it : it.skip)('never releases a lock that expired and was taken by another holder', async () => {
    const redis = first.get(RedisService);
    let finishSecond!: () => void;
    const slow = locks.runExclusive('job', 100, () => sleep(300));
    await sleep(150);
    const other = second.get(LockService).runExclusive('job', 5000, () => new Promise<void>((resolve) => (finishSecond = resolve)));
    await slow;
    expect(await redis.client!.exists(redis.key('lock:job'))).toBe(1);
    expect(await locks.runExclusive('job', 5000, async () => 'third')).toEqual({ ran: false });
    finishSecond();
    expect(await other).toEqual({ ran: true, value: undefined });
  });

  it('runs nothing while Redis is configured but unreachable', async () => {
    const broken = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
    try {
      const task = jest.fn(async () => 'ran');
      const started = Date.now();
      expect(await broken.get(LockService).runExclusive('job', 5000, task)).toEqual({ ran: false });
      expect(task).not.toHaveBeenCalled();
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await broken.close();
    }
  });
});
