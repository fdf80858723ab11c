/** An allow-list entry: a tool name, or a glob where `*` stands for any run of characters (`github.*`, `*`). */
export const TOOL_PATTERN = /^[a-zA-Z0-9_.*-]{1,64}$/;

/** Whether a tool name is on the allow-list. */
export function allowListMatcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.includes('*')));
  const globs = patterns.filter((pattern) => pattern.includes('*')).map(globToRegExp);
  return (name) => exact.has(name) || globs.some((glob) => glob.test(name));
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern.split('*').map((part) => part.replace(/[.\-]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`);
}
