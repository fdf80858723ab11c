import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { APP_VERSION, buildOpenApiDocument } from '@app/core';
import { createApp } from './create-app.js';

/** `npm run openapi`: writes the sorted OpenAPI document the server serves to ./openapi.json. */
async function exportOpenApi(): Promise<void> {
  // The document depends on code only; an in-memory database keeps the export free of side effects.
  process.env.DATA_DIR = 'memory';
  process.env.LOG_LEVEL = 'warn';
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  const app = await createApp();
  const document = buildOpenApiDocument(app, APP_VERSION);
  await app.close();
  const target = resolve(process.argv[2] ?? 'openapi.json');
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${target}\n`);
}

await exportOpenApi();
