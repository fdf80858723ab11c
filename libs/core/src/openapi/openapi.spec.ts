import { operationId, sortDeep } from './openapi.js';

describe('openapi helpers', () => {
  it('derives snake_case operation ids from controller and method', () => {
    expect(operationId('ToolsController', 'invoke')).toBe('tools_invoke');
    expect(operationId('ApiKeysController', 'create')).toBe('api_keys_create');
    expect(operationId('AgentsController', 'createRun')).toBe('agents_createRun');
  });

  it('sorts keys deeply and keeps array order', () => {
    expect(JSON.stringify(sortDeep({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } }))).toBe('{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});
