import { SecretBox, ValidationFailedException } from '@app/core';
import { prepareHttpToolConfig, REDACTED, redactHttpToolConfig } from './http-tool-config.js';
import { buildHttpToolRequest } from './http-tool-request.js';

const box = new SecretBox({ current: 'k'.repeat(32), previous: [] });
const schema = { type: 'object', properties: { id: { type: 'string' }, q: { type: 'string' }, tags: { type: 'array' }, note: { type: 'string' } } };

function pointers(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationFailedException) return error.errors!.map((e) => e.pointer);
    throw error;
  }
  throw new Error('expected a ValidationFailedException');
}

describe('prepareHttpToolConfig', () => {
  it('normalizes the method and seals header values', () => {
    const stored = prepareHttpToolConfig({ url: 'https://api.example.com/items/{id}', method: 'post', headers: { Authorization: 'Bearer s3cr3t' }, body: ['note'] }, schema, undefined, box);
    expect(stored).toMatchObject({ url: 'https://api.example.com/items/{id}', method: 'POST', body: ['note'] });
    expect(JSON.stringify(stored)).not.toContain('s3cr3t');
    expect(box.open(stored.headers!.Authorization)).toBe('Bearer s3cr3t');
  });

  it('names every bad field with a pointer under /config', () => {
    const config = { url: 'https://{id}.example.com/{nope}', method: 'TRACE', headers: { 'Bad Name': 'x', ok: 'a\nb' }, query: ['missing'], body: 'q', extra: 1 };
    expect(pointers(() => prepareHttpToolConfig(config, schema, undefined, box)).sort()).toEqual(
      ['/config/body', '/config/extra', '/config/headers/Bad Name', '/config/headers/ok', '/config/method', '/config/query/0', '/config/url'].sort(),
    );
    expect(pointers(() => prepareHttpToolConfig({ url: 'file:///etc/passwd' }, schema, undefined, box))).toEqual(['/config/url']);
    expect(pointers(() => prepareHttpToolConfig({ url: 'https://x/{id}', query: ['id'] }, schema, undefined, box))).toEqual(['/config/query/0']);
  });

  it('keeps the stored value of a header sent back as the placeholder, and wants a value for a new one', () => {
    const first = prepareHttpToolConfig({ url: 'https://x/', headers: { 'X-Key': 'one' } }, schema, undefined, box);
    const changed = prepareHttpToolConfig({ url: 'https://x/v2', headers: { 'x-key': REDACTED } }, schema, first, box);
    expect(box.open(changed.headers!['x-key'])).toBe('one');
    expect(pointers(() => prepareHttpToolConfig({ url: 'https://x/', headers: { Other: REDACTED } }, schema, first, box))).toEqual(['/config/headers/Other']);
  });

  it('redacts header values and nothing else', () => {
    const stored = prepareHttpToolConfig({ url: 'https://x/', headers: { 'X-Key': 'one' } }, schema, undefined, box);
    expect(redactHttpToolConfig(stored)).toEqual({ url: 'https://x/', method: 'GET', headers: { 'X-Key': REDACTED } });
  });
});

describe('buildHttpToolRequest', () => {
  it('fills placeholders URL-encoded and sends the rest to the query for GET', () => {
    const request = buildHttpToolRequest({ url: 'https://x/items/{id}', method: 'GET' }, { id: 'a b/c', q: 'x&y', tags: ['t1', 't2'] });
    expect(request).toEqual({ method: 'GET', url: 'https://x/items/a%20b%2Fc?q=x%26y&tags=t1&tags=t2' });
  });

  it('sends unlisted arguments to the JSON body for POST and listed ones where listed', () => {
    const request = buildHttpToolRequest({ url: 'https://x/items/{id}', method: 'POST', query: ['q'] }, { id: '7', q: 'find', note: 'hi', tags: [1] });
    expect(request).toEqual({ method: 'POST', url: 'https://x/items/7?q=find', body: JSON.stringify({ note: 'hi', tags: [1] }) });
  });
});
