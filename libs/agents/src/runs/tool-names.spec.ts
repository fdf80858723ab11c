import { ToolNames } from './tool-names.js';

describe('ToolNames', () => {
  it('keeps names providers accept and maps the others both ways, renaming the later one on a collision', () => {
    const names = new ToolNames(['github.search', 'calculator', 'github_search']);
    expect(names.modelName('calculator')).toBe('calculator');
    expect(names.modelName('github_search')).toBe('github_search');
    expect(names.modelName('github.search')).toBe('github_search_2');
    expect(names.registryName('github_search_2')).toBe('github.search');
    expect(names.registryName('github.search')).toBeUndefined();
    expect(names.registryName('weather')).toBeUndefined();
    // Tools of earlier turns that the run no longer offers are made safe the same way.
    expect(names.modelName('old.tool')).toBe('old_tool');
  });
});
