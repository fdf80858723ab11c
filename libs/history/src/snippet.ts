/**
 * The part of `text` around the first case-insensitive occurrence of `needle`, on one line, with "…" where it was
 * cut; the start of the text when the needle isn't in it (the database matched a form the caller can't see).
 */
export function snippetAround(text: string, needle: string, radius = 60): string {
  const at = Math.max(0, text.toLowerCase().indexOf(needle.toLowerCase()));
  const start = Math.max(0, at - radius);
  const end = Math.min(text.length, at + needle.length + radius);
  const excerpt = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${excerpt}${end < text.length ? '…' : ''}`;
}
