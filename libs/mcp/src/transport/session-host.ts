import { toNodeHandler, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type JSONRPCMessage,
  type RequestId,
  type Server,
} from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';
import type { McpSessionRecord } from './session-store.js';

/** Where replayed messages claim to come from; they never leave the process. */
const REPLAY_URL = 'http://session.replay/mcp';

/** The SDK's web-standard session transport, with the fetch face the Node adapter takes. */
export class SessionTransport extends WebStandardStreamableHTTPServerTransport {
  readonly fetch = (request: Request, options?: { authInfo?: AuthInfo; parsedBody?: unknown }) => this.handleRequest(request, options);
}

/** One session as this instance serves it: its record, its protocol instance and transport, and how busy it is. */
export class SessionHost {
  /** Serves a Node request/response pair through the transport. */
  readonly serveNode: NodeMcpRequestHandler;
  /** When the record was last renewed in the store by this instance. */
  renewedAt = Date.now();
  /** When its last request ended (or started, while one is open). */
  lastSeen = Date.now();
  /** Requests and GET streams open right now: a session in use is never idle. */
  open = 0;
  /** Calls the direct path is running for this session (the protocol instance never sees them), by request id. */
  readonly directCalls = new Map<RequestId, AbortController>();

  constructor(
    readonly record: McpSessionRecord,
    readonly server: Server,
    readonly transport: SessionTransport,
  ) {
    this.serveNode = toNodeHandler(transport);
  }

  get id(): string {
    return this.record.id;
  }

  ownedBy(principal: Principal): boolean {
    return this.record.ownerId === principal.userId;
  }

  begin(): void {
    this.open++;
    this.lastSeen = Date.now();
  }

  end(): void {
    this.open--;
    this.lastSeen = Date.now();
  }

  /** Aborts the direct calls that `notifications/cancelled` messages among these name. */
  cancelDirectCalls(messages: JSONRPCMessage[]): void {
    for (const message of messages) {
      if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') continue;
      const { requestId, reason } = (message.params ?? {}) as { requestId?: RequestId; reason?: string };
      if (requestId !== undefined) this.directCalls.get(requestId)?.abort(new Error(reason ?? 'cancelled by the client'));
    }
  }

  /** Feeds a message the client sent earlier (to this or another instance) through the transport, discarding the answer. */
  async replay(message: JSONRPCMessage): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    if (!(isJSONRPCRequest(message) && message.method === 'initialize')) headers['mcp-session-id'] = this.id;
    const response = await this.transport.handleRequest(new Request(REPLAY_URL, { method: 'POST', headers, body: JSON.stringify(message) }));
    const answer = await response.text();
    if (response.status >= 400) throw new Error(`replayed ${'method' in message ? message.method : 'message'} refused: ${response.status} ${answer}`);
  }
}
