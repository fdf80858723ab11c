import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerContext } from '@modelcontextprotocol/server';

const current = new AsyncLocalStorage<ServerContext>();

/**
 * The MCP request a tool call arrived on, for the few tools that talk back to the client (log messages, sampling,
 * elicitation) without the tools lib knowing about MCP: the adapter runs the call inside it, such a tool reads it.
 */
export const McpRequestChannel = {
  run<T>(context: ServerContext, call: () => Promise<T>): Promise<T> {
    return current.run(context, call);
  },

  /** The MCP request being served, or undefined when the call came through REST or an agent. */
  current(): ServerContext | undefined {
    return current.getStore();
  },
};
