import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownService } from '@app/health';
import { ProbeController } from './support/probe.controller.js';
import { closedPort, TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait-for.js';
import { createTestApp, onPostgres, useTestApp } from './support/test-app.js';

describe('health', () => {
  describe('with every dependency up', () => {
    const app = useTestApp();

    it('answers liveness without touching a dependency', async () => {
      for (const url of ['/health', '/health/live']) {
        const response = await app().inject({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
      }
    });

    it('reports readiness: database, Redis when configured, memory, disk, the history recorder', async () => {
      const response = await app().inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.status).toBe('ok');
      expect(Object.keys(body.details).sort()).toEqual(
        ['database', 'disk', 'history_recorder', 'lifecycle', 'memory_heap', 'memory_rss', ...(onPostgres ? ['redis'] : [])].sort(),
      );
    });
  });

  // Engine-independent: run once, on the postgres pass.
  (onPostgres ? it : it.skip)('turns readiness 503 when the heap is over its threshold', async () => {
    const app = await createTestApp({ env: { HEALTH_HEAP_MAX_MB: '16' } });
    try {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.memory_heap.status).toBe('down');
    } finally {
      await app.close();
    }
  });

  it('with Redis unreachable: readiness 503 within 2 s, liveness 200, requests still served', async () => {
    const app = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
    try {
      const started = Date.now();
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
      expect(ready.json().details.database.status).toBe('up');
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      const closing = Date.now();
      await app.close();
      expect(Date.now() - closing).toBeLessThan(2000);
    }
  });

  it('on drain: readiness 503 at once, in-flight requests finish, then the server closes', async () => {
    const app = await createTestApp({ controllers: [ProbeController], env: { SHUTDOWN_DRAIN_DELAY_MS: '400' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const inFlight = fetch(`${base}/probe/slow?ms=700`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const draining = app.get(ShutdownService).drain(app);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).error.lifecycle).toEqual({ status: 'down', message: 'draining for shutdown' });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(await finished.json()).toEqual({ done: true });
    await draining;
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });

  (onPostgres ? describe : describe.skip)('with Postgres going away (postgres mode)', () => {
    const target = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    let app: NestFastifyApplication;

    beforeAll(async () => {
      const port = await proxy.start();
      const viaProxy = new URL(target);
      viaProxy.port = String(port);
      app = await createTestApp({ controllers: [ProbeController], env: { DATABASE_URL: viaProxy.toString() } });
    });
    afterAll(async () => {
      await app?.close();
      await proxy.cut();
    });

    it('fails readiness and answers 503 problems until it returns', async () => {
      expect((await app.inject({ method: 'GET', url: '/probe/installation' })).statusCode).toBe(200);
      await proxy.cut();

      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.database.status).toBe('down');
      const started = Date.now();
      const request = await app.inject({ method: 'GET', url: '/probe/installation' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(request.statusCode).toBe(503);
      expect(request.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(request.headers['retry-after']).toBe('5');
      expect(request.json().code).toBe('DATABASE_UNAVAILABLE');
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

      await proxy.start();
      // Readiness answered 200 within milliseconds whenever this ran alone; full runs failed here twice without saying
      // why (the worker's heap over the probe's threshold is the likely cause, see test/setup/e2e-common.mjs), so a
      // failure now names the checks that were down.
      let last = '';
      const recovered = async () => {
        const response = await app.inject({ method: 'GET', url: '/health/ready' });
        last = response.body;
        return response.statusCode === 200;
      };
      await waitFor(recovered, 10_000).catch((error: Error) => Promise.reject(new Error(`${error.message}; readiness: ${last}`)));
      expect((await app.inject({ method: 'GET', url: '/probe/installation' })).statusCode).toBe(200);
    });
  });
});
