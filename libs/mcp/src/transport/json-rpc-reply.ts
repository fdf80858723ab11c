import type { ServerResponse } from 'node:http';

/** A transport-level refusal in the shape MCP clients parse: a JSON-RPC error with no id. */
export function replyRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
