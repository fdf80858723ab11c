import Negotiator from 'negotiator';

export const JSON_TYPE = 'application/json';
export const XML_TYPE = 'application/xml';
export const DEFAULT_PRODUCES = [JSON_TYPE, XML_TYPE];

/** Distinct Accept headers remembered per list of offers; past it the memo starts over, so odd headers can't grow memory. */
const MEMO_ENTRIES_MAX = 256;
const memos = new WeakMap<readonly string[], Map<string, string | undefined>>();

/** The media type to answer with, or undefined when the client accepts none of those offered (406). */
export function negotiateMediaType(accept: string | undefined, offers: readonly string[] = DEFAULT_PRODUCES): string | undefined {
  // Fast path for what nearly every client sends.
  if (!accept || accept.trim() === '' || accept === '*/*') return offers[0];
  if (accept === JSON_TYPE) return offers.includes(JSON_TYPE) ? JSON_TYPE : undefined;
  // A client sends the same Accept on every request (an MCP client's "application/json, text/event-stream"), and
  // routes offer the same list each time: parsing and ranking it per request cost a few µs.
  let memo = memos.get(offers);
  if (!memo) memos.set(offers, (memo = new Map()));
  if (memo.has(accept)) return memo.get(accept);
  if (memo.size >= MEMO_ENTRIES_MAX) memo.clear();
  const chosen = negotiate(accept, offers);
  memo.set(accept, chosen);
  return chosen;
}

function negotiate(accept: string, offers: readonly string[]): string | undefined {
  // text/xml is an old alias clients still send; answer it with application/xml.
  const normalized = accept.replace(/\btext\/xml\b/gi, XML_TYPE);
  const offered = normalized.includes('problem+json') ? [...offers, 'application/problem+json'] : offers;
  const chosen = new Negotiator({ headers: { accept: normalized } }).mediaType([...offered]);
  return chosen === 'application/problem+json' ? JSON_TYPE : chosen;
}

export function prefersXml(accept: string | undefined): boolean {
  return negotiateMediaType(accept) === XML_TYPE;
}
