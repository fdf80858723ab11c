import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerContext } from '@modelcontextprotocol/server';

const current = new AsyncLocalStorage<ServerContext>();
const talkingTools = new Set<string>();

/**
 * The MCP request a tool call arrived on, for the few tools that talk back to the client (log messages, sampling,
 * elicitation) without the tools lib knowing about MCP: the adapter runs the call inside it, such a tool reads it.
 */
export const McpRequestChannel = {
  run<T>(context: ServerContext, call: () => Promise<T>): Promise<T> {
    return current.run(context, call);
  },

  /** The MCP request being served, or undefined when the call came through REST, an agent or the direct path. */
  current(): ServerContext | undefined {
    return current.getStore();
  },

  /** Declares a tool that reads the channel: its calls always take the SDK's path, which can stream what it sends. */
  declareTalkingTool(name: string): void {
    talkingTools.add(name);
  },

  talksBack(toolName: string): boolean {
    return talkingTools.has(toolName);
  },
};
