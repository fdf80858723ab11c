/** Whom a coordinator delegates to: its members, then its aggregator. */
export function delegatesOf(agent: { members?: readonly string[] | null; aggregatorId?: string | null }): string[] {
  return [...(agent.members ?? []), ...(agent.aggregatorId ? [agent.aggregatorId] : [])];
}

/** An agent as the member graph sees it: `members` are all it delegates to. */
export interface MemberNode {
  id: string;
  name: string;
  members: readonly string[];
}

/**
 * The path by which `agent`, given `members`, would reach itself through the members of its members (a coordinator
 * that ends up delegating to itself), as names from the agent back to it; undefined when there is none.
 */
export function findMemberCycle(agent: { id: string; name: string }, members: readonly string[], graph: ReadonlyMap<string, MemberNode>): string[] | undefined {
  const visited = new Set<string>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    if (id === agent.id) return [...path, agent.name];
    if (visited.has(id)) return undefined;
    visited.add(id);
    const node = graph.get(id);
    if (!node) return undefined;
    for (const member of node.members) {
      const found = walk(member, [...path, node.name]);
      if (found) return found;
    }
    return undefined;
  };
  for (const member of members) {
    const found = walk(member, [agent.name]);
    if (found) return found;
  }
  return undefined;
}
