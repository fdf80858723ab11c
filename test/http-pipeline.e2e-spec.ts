import { ProbeController } from './support/probe.controller.js';
import { createTestApp, onPostgres, useTestApp } from './support/test-app.js';

const PROBLEM_KEYS = ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'];

describe('HTTP pipeline: problems, request ids, content negotiation', () => {
  const app = useTestApp({ controllers: [ProbeController], env: { BODY_LIMIT: '2kb', CORS_ORIGINS: 'https://console.example.com' } });

  function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(Object.keys(body)).toEqual(expect.arrayContaining(PROBLEM_KEYS));
    expect(body).toMatchObject({ status, code, requestId: response.headers['x-request-id'] });
    expect(body.type).toBe(`urn:mcp-assistant:problem:${code.toLowerCase().replace(/_/g, '-')}`);
    expect(body.stack).toBeUndefined();
    return body;
  }

  describe('problem+json for every error', () => {
    it('404 for an unknown route', async () => {
      const body = expectProblem(await app().inject({ method: 'GET', url: '/no/such/route?x=1' }), 404, 'NOT_FOUND');
      expect(body.instance).toBe('/no/such/route');
    });

    it('400 for malformed JSON', async () => {
      const response = await app().inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": ' });
      const body = expectProblem(response, 400, 'MALFORMED_JSON');
      expect(body.title).toBe('Malformed JSON body');
    });

    it('415 for a body that is not JSON', async () => {
      const response = await app().inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('413 for a body over BODY_LIMIT', async () => {
      const response = await app().inject({ method: 'POST', url: '/probe/echo', payload: { name: 'x'.repeat(4096) } });
      expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('400 naming each failing field by JSON pointer, unknown fields included', async () => {
      const response = await app().inject({ method: 'POST', url: '/probe/echo', payload: { name: 7, count: 0, tag: { label: 'much too long' }, extra: true } });
      const body = expectProblem(response, 400, 'VALIDATION_FAILED');
      const pointers = body.errors.map((error: { pointer: string }) => error.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/name', '/count', '/tag/label', '/extra']));
      for (const error of body.errors) expect(typeof error.message).toBe('string');
    });

    it('accepts a valid body and transforms it', async () => {
      const response = await app().inject({ method: 'POST', url: '/probe/echo', payload: { name: 'ada', count: 2 } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ name: 'ada', count: 2 });
    });

    it('500 hides internals and the stack', async () => {
      const body = expectProblem(await app().inject({ method: 'GET', url: '/probe/boom' }), 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(body)).not.toContain('kaboom');
    });
  });

  describe('request ids', () => {
    it('echoes a caller X-Request-Id', async () => {
      const response = await app().inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-abc.123' } });
      expect(response.headers['x-request-id']).toBe('trace-abc.123');
    });

    it('generates one when absent or unsafe', async () => {
      const first = await app().inject({ method: 'GET', url: '/health/live' });
      const unsafe = await app().inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\twith spaces' } });
      for (const response of [first, unsafe]) expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.headers['x-request-id']).not.toBe(unsafe.headers['x-request-id']);
    });
  });

  describe('content negotiation', () => {
    it('answers JSON by default', async () => {
      const response = await app().inject({ method: 'GET', url: '/probe/list' });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });

    it('answers the same body as XML for Accept: application/xml', async () => {
      const response = await app().inject({ method: 'GET', url: '/probe/list', headers: { accept: 'application/xml' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/xml/);
      expect(response.body).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><response><items><item><id>1</id><name>a</name></item>' +
          '<item><id>2</id><name>b</name></item></items><_2fa>true</_2fa><odd_key>x</odd_key></response>',
      );
    });

    it('honours quality values and text/xml', async () => {
      const xml = await app().inject({ method: 'GET', url: '/health/live', headers: { accept: 'application/json;q=0.5, text/xml' } });
      expect(xml.headers['content-type']).toMatch(/^application\/xml/);
      const json = await app().inject({ method: 'GET', url: '/health/live', headers: { accept: 'application/xml;q=0.1, application/json' } });
      expect(json.headers['content-type']).toMatch(/^application\/json/);
    });

    it('sends problems as application/problem+xml to XML clients', async () => {
      const response = await app().inject({ method: 'GET', url: '/nowhere', headers: { accept: 'application/xml' } });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+xml/);
      expect(response.body).toContain('<problem xmlns="urn:ietf:rfc:7807">');
      expect(response.body).toContain('<code>NOT_FOUND</code>');
    });

    it('honours what a route declares it produces', async () => {
      const stream = await app().inject({ method: 'GET', url: '/probe/events', headers: { accept: 'text/event-stream' } });
      expect(stream.statusCode).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      expectProblem(await app().inject({ method: 'GET', url: '/probe/events', headers: { accept: 'application/json' } }), 406, 'NOT_ACCEPTABLE');
    });

    it('406 for an Accept the API cannot produce', async () => {
      const body = expectProblem(await app().inject({ method: 'GET', url: '/probe/list', headers: { accept: 'text/csv' } }), 406, 'NOT_ACCEPTABLE');
      expect(body.detail).toContain('application/json');
    });
  });

  it('allows the configured CORS origins only', async () => {
    const allowed = await app().inject({ method: 'OPTIONS', url: '/probe/list', headers: { origin: 'https://console.example.com', 'access-control-request-method': 'GET' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.com');
    const other = await app().inject({ method: 'OPTIONS', url: '/probe/list', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("sends helmet's security headers on answers, errors and the docs alike", async () => {
    for (const url of ['/probe/list', '/no/such/route', '/docs', '/health/live']) {
      const response = await app().inject({ method: 'GET', url });
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
  });
});

// Engine-independent: run once, on the postgres pass.
(onPostgres ? describe : describe.skip)('HTTP pipeline with DEBUG_MODE', () => {
  it('includes the stack in 500 problems', async () => {
    const app = await createTestApp({ controllers: [ProbeController], env: { DEBUG_MODE: 'true' } });
    try {
      const response = await app.inject({ method: 'GET', url: '/probe/boom' });
      expect(response.statusCode).toBe(500);
      expect(response.json().stack).toContain('kaboom');
    } finally {
      await app.close();
    }
  });
});
