import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp } from './support/test-app.js';

describe('health', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers liveness without touching a dependency', async () => {
    for (const url of ['/health', '/health/live']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    }
  });

  it('reports readiness with every dependency up', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(
      ['database', 'disk', 'lifecycle', 'memory_heap', 'memory_rss', ...(process.env.REDIS_URL ? ['redis'] : [])].sort(),
    );
  });
});
