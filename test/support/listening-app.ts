import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp } from './test-app.js';
import { ADMIN_KEY } from './users.js';

/** The real app on an ephemeral loopback port for a describe block, as MCP clients reach it (API_KEY is ADMIN_KEY). */
export function useListeningApp(env: Record<string, string>) {
  let app: NestFastifyApplication;
  let url = '';
  beforeAll(async () => {
    app = await createTestApp({ env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', ...env } });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });
  return { app: () => app, url: () => url };
}
