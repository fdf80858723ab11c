import { allowListMatcher } from './tool-allow-list.js';

describe('allowListMatcher', () => {
  it('matches exact names and globs, with dots taken literally', () => {
    const allowed = allowListMatcher(['calculator', 'up.*', '*_query']);
    expect(['calculator', 'up.search', 'up.a.b', 'json_query'].every(allowed)).toBe(true);
    expect(['calculators', 'upx', 'up', 'json_query2'].some(allowed)).toBe(false);
    expect(allowListMatcher(['*'])('anything.at-all')).toBe(true);
    expect(allowListMatcher([])('calculator')).toBe(false);
  });
});
