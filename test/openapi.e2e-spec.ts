import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { load as loadYaml } from 'js-yaml';
import { onPostgres } from './support/test-app.js';

/**
 * The app as `nest build` compiled it: the Swagger CLI plugin that fills in the document's schemas runs in the build,
 * not in the tests' transpile-only compile, so the document production serves comes from dist (global setup builds it).
 */
const BUILT_APP = resolve('dist/apps/server/src/create-app.js');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

// The document depends on code only, so one pass (postgres) checks it.
(onPostgres ? describe : describe.skip)('OpenAPI document and Swagger UI', () => {
  let built: NestFastifyApplication;
  const app = () => built;
  let served: any;

  beforeAll(async () => {
    const { createApp } = (await import(BUILT_APP)) as typeof import('../apps/server/src/create-app.js');
    built = await createApp();
    served = (await app().inject({ method: 'GET', url: '/docs/openapi.json' })).json();
  });

  afterAll(async () => {
    await built?.close();
  });

  it('matches the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8'));
    expect(served).toEqual(committed);
  });

  it('serves Swagger UI at /docs and the YAML document', async () => {
    const ui = await app().inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    expect(ui.body).toContain('swagger');
    const asset = await app().inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
    const document = await app().inject({ method: 'GET', url: '/docs/openapi.yaml' });
    expect(document.statusCode).toBe(200);
    expect(loadYaml(document.body)).toEqual(served);
  });

  it('gives every operation a unique, stable operationId and a tag', () => {
    const operations = Object.values(served.paths).flatMap((item: any) =>
      HTTP_METHODS.filter((method) => item[method]).map((method) => item[method]),
    );
    expect(operations.length).toBeGreaterThan(0);
    const ids = operations.map((operation: any) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.operationId).toMatch(/^[a-z][a-z0-9_]*_[a-zA-Z]+$/);
      expect(operation.tags?.length).toBeGreaterThan(0);
    }
  });

  it('describes errors as ProblemDetails and declares the API key schemes', () => {
    expect(served.components.schemas.ProblemDetails.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId']),
    );
    for (const item of Object.values(served.paths) as any[]) {
      for (const method of HTTP_METHODS.filter((name) => item[name])) {
        const responses = item[method].responses;
        expect(responses.default.content['application/problem+json'].schema.$ref).toBe('#/components/schemas/ProblemDetails');
        for (const [status, response] of Object.entries(responses) as [string, any][]) {
          if (!/^[45]/.test(status)) continue;
          const schemas = Object.values(response.content).map((content: any) => content.schema.$ref);
          // Readiness answers 503 with the Terminus body, as probes expect; every other error is a problem.
          const expected = item === served.paths['/health/ready'] ? '#/components/schemas/HealthStatusDto' : '#/components/schemas/ProblemDetails';
          for (const ref of schemas) expect(ref).toBe(expected);
        }
      }
    }
    expect(served.components.securitySchemes).toEqual({
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });
});
