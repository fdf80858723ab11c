import { XMLBuilder } from 'fast-xml-parser';

// Attributes only ever come from `@_xmlns` below: elementName() turns a JSON key's `@` into `_`.
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false, suppressEmptyNode: false });

/** XML element names can't start with a digit or hold most punctuation; JSON keys can. */
function elementName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return { item: value.map(normalize) };
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [elementName(key), normalize(entry)]));
  }
  return value ?? '';
}

/** The same body a JSON client gets, as an XML document; arrays become repeated <item> elements. */
export function toXml(body: unknown, root = 'response', namespace?: string): string {
  const element = namespace ? { [root]: { '@_xmlns': namespace, ...(normalize(body) as object) } } : { [root]: normalize(body) };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(element)}`;
}
