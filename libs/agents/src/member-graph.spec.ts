import { findMemberCycle, type MemberNode } from './member-graph.js';

function graphOf(...nodes: MemberNode[]): Map<string, MemberNode> {
  return new Map(nodes.map((node) => [node.id, node]));
}

describe('findMemberCycle', () => {
  const a = { id: 'a', name: 'alpha', members: [] };
  const b = { id: 'b', name: 'beta', members: ['c'] };
  const c = { id: 'c', name: 'gamma', members: ['a'] };

  it('finds a coordinator that would reach itself through its members, naming the path', () => {
    expect(findMemberCycle(a, ['b'], graphOf(a, b, c))).toEqual(['alpha', 'beta', 'gamma', 'alpha']);
  });

  it('refuses an agent as its own member', () => {
    expect(findMemberCycle(a, ['a'], graphOf(a))).toEqual(['alpha', 'alpha']);
  });

  it('accepts shared members (a diamond) and members of members that lead elsewhere', () => {
    const leaf = { id: 'l', name: 'leaf', members: [] };
    const left = { id: 'x', name: 'left', members: ['l'] };
    const right = { id: 'y', name: 'right', members: ['l'] };
    expect(findMemberCycle(a, ['x', 'y'], graphOf(a, leaf, left, right))).toBeUndefined();
    expect(findMemberCycle({ id: 'new', name: 'new' }, ['b'], graphOf(a, b, c))).toBeUndefined();
  });
});
