import type { ServerResponse } from 'node:http';

/**
 * A JSON answer written straight to the Node response. With its length known, headers and body leave in one write
 * rather than as a chunked body with its chunk framing and terminator.
 */
export function replyJson(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** A transport-level refusal in the shape MCP clients parse: a JSON-RPC error with no id. */
export function replyRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  replyJson(response, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
