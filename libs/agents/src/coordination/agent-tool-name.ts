/** Every agent is also a tool of kind `agent` under this name; coordinators delegate to their members through it. */
export function agentToolName(agentName: string): string {
  return `${AGENT_TOOL_PREFIX}${agentName}`;
}

export const AGENT_TOOL_PREFIX = 'agent.';
