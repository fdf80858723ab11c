import Negotiator from 'negotiator';

export const JSON_TYPE = 'application/json';
export const XML_TYPE = 'application/xml';
export const DEFAULT_PRODUCES = [JSON_TYPE, XML_TYPE];

/** The media type to answer with, or undefined when the client accepts none of those offered (406). */
export function negotiateMediaType(accept: string | undefined, offers: readonly string[] = DEFAULT_PRODUCES): string | undefined {
  // Fast path for what nearly every client sends.
  if (!accept || accept.trim() === '' || accept === '*/*') return offers[0];
  if (accept === JSON_TYPE) return offers.includes(JSON_TYPE) ? JSON_TYPE : undefined;
  // text/xml is an old alias clients still send; answer it with application/xml.
  const normalized = accept.replace(/\btext\/xml\b/gi, XML_TYPE);
  const offered = normalized.includes('problem+json') ? [...offers, 'application/problem+json'] : offers;
  const chosen = new Negotiator({ headers: { accept: normalized } }).mediaType([...offered]);
  return chosen === 'application/problem+json' ? JSON_TYPE : chosen;
}

export function prefersXml(accept: string | undefined): boolean {
  return negotiateMediaType(accept) === XML_TYPE;
}
