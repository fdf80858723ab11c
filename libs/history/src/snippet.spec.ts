import { snippetAround } from './snippet.js';

describe('snippetAround', () => {
  it('cuts around the first case-insensitive match and marks the cuts', () => {
    const text = `${'a'.repeat(100)} The Quarterly REPORT is due\non Friday ${'b'.repeat(100)}`;
    expect(snippetAround(text, 'report', 10)).toBe('…Quarterly REPORT is due on…');
  });

  it('keeps short texts whole and falls back to the start when the needle is absent', () => {
    expect(snippetAround('hello world', 'WORLD')).toBe('hello world');
    expect(snippetAround('x'.repeat(50), 'nope', 5)).toBe('xxxxxxxxx…');
  });
});
