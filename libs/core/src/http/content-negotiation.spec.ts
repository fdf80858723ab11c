import { negotiateMediaType } from './content-negotiation.js';
import { toXml } from './xml.js';

describe('negotiateMediaType', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/xml', 'application/xml'],
    ['text/xml', 'application/xml'],
    ['application/*', 'application/json'],
    ['application/xml, application/json;q=0.9', 'application/xml'],
    ['application/xml;q=0.2, application/json', 'application/json'],
    ['application/problem+json', 'application/json'],
    ['text/csv', undefined],
    ['text/html, image/png', undefined],
  ])('Accept %s → %s', (accept, expected) => {
    expect(negotiateMediaType(accept)).toBe(expected);
  });

  it('honours a route that produces something else', () => {
    expect(negotiateMediaType('text/event-stream', ['text/event-stream'])).toBe('text/event-stream');
    expect(negotiateMediaType('application/json', ['text/event-stream'])).toBeUndefined();
  });
});

describe('toXml', () => {
  it('renders nested objects, arrays, dates and awkward keys', () => {
    const xml = toXml({ a: [1, 2], when: new Date('2026-01-02T03:04:05Z'), '1st key': { x: null }, esc: '<&>' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response><a><item>1</item><item>2</item></a>' +
        '<when>2026-01-02T03:04:05.000Z</when><_1st_key><x></x></_1st_key><esc>&lt;&amp;&gt;</esc></response>',
    );
  });

  it('wraps a top-level array', () => {
    expect(toXml([{ id: 1 }])).toBe('<?xml version="1.0" encoding="UTF-8"?><response><item><id>1</id></item></response>');
  });
});
