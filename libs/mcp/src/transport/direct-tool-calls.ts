import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  type CallToolResult,
  type RequestId,
} from '@modelcontextprotocol/server';
import { isPlainObject } from '@app/core';
import type { Principal } from '@app/users';
import { McpRequestChannel } from '../mcp-request-channel.js';
import { SERVER_INFO } from '../mcp-server.factory.js';
import { McpTools } from '../mcp-tools.service.js';
import { replyJson } from './json-rpc-reply.js';

/** The sessionless revision the direct path answers; a request claiming any other goes to the SDK. */
export const MODERN_REVISION = '2026-07-28';

const LOG_LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);
const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const MODERN_PARAM_KEYS = new Set(['name', 'arguments', '_meta']);
const SESSION_PARAM_KEYS = new Set(['name', 'arguments']);
const ENVELOPE_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, LOG_LEVEL_META_KEY]);

/** A tools/call the direct path answers: one request, a tool name and its arguments, nothing streamed back. */
export interface PlainToolCall {
  id: RequestId;
  name: string;
  arguments?: Record<string, unknown>;
}

/** How an era wraps the answer: the result as its codec encodes it, the headers its transport adds. */
interface AnswerShape {
  encode(result: CallToolResult): Record<string, unknown>;
  headers?: Record<string, string>;
  /** In-flight calls by request id, for a `notifications/cancelled` that names one. */
  inFlight?: Map<RequestId, AbortController>;
}

/** The 2026-07-28 codec's stamps on a tools/call result: its result type and the server's identity. */
const MODERN: AnswerShape = {
  encode: (result) => ({ ...result, resultType: 'complete', _meta: { ...result._meta, [SERVER_INFO_META_KEY]: SERVER_INFO } }),
};

/**
 * The direct path for plain `tools/call` requests. The SDK's HTTP handling costs several times what the call itself
 * does (a web Request built per call, a transport connected and closed, the message validated again and again): a
 * request that needs none of what that machinery is for — no progress token, no multi-round-trip state, a tool that
 * never talks back, every header exactly as the revision requires — is answered here with the same JSON the SDK
 * would write, through the same `McpTools.run` and so the one execution path. Anything else, including every
 * malformed request, takes the SDK's path, which owns the protocol's error answers. An e2e test holds both paths to
 * the same bytes.
 */
@Injectable()
export class DirectToolCalls {
  constructor(private readonly tools: McpTools) {}

  /** A sessionless (2026-07-28) call this path may answer, else undefined. */
  modernCall(method: string | undefined, headers: IncomingHttpHeaders, body: unknown): PlainToolCall | undefined {
    if (method !== 'POST' || headers['mcp-protocol-version'] !== MODERN_REVISION || headers['mcp-method'] !== 'tools/call') return undefined;
    const call = plainCall(body, MODERN_PARAM_KEYS);
    if (!call || headers['mcp-name'] !== call.name || !isPlainEnvelope((body as { params: { _meta?: unknown } }).params._meta)) return undefined;
    return call;
  }

  /** A call on a 2025-era session this path may answer (the session found and owned already), else undefined. */
  sessionCall(method: string | undefined, headers: IncomingHttpHeaders, body: unknown): PlainToolCall | undefined {
    if (method !== 'POST') return undefined;
    const version = headers['mcp-protocol-version'];
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version as string)) return undefined;
    // The session transport refuses a POST that doesn't accept both; that refusal stays its own.
    const accept = headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
    return plainCall(body, SESSION_PARAM_KEYS);
  }

  answerModern(call: PlainToolCall, principal: Principal, response: ServerResponse): Promise<void> {
    return this.answer(call, principal, response, MODERN);
  }

  /** The 2025 codec passes a tools/call result through as it is. */
  answerSession(call: PlainToolCall, principal: Principal, response: ServerResponse, sessionId: string, inFlight: Map<RequestId, AbortController>): Promise<void> {
    return this.answer(call, principal, response, { encode: (result) => result, headers: { 'mcp-session-id': sessionId }, inFlight });
  }

  private async answer(call: PlainToolCall, principal: Principal, response: ServerResponse, shape: AnswerShape): Promise<void> {
    // A client that goes away cancels the call, as it does on the SDK's path.
    const controller = new CallAbort();
    const abandon = () => controller.abort(new Error('the client closed the request'));
    response.once('close', abandon);
    shape.inFlight?.set(call.id, controller);
    let answer: Record<string, unknown>;
    try {
      const result = await this.tools.run(principal, { name: call.name, arguments: call.arguments }, { cancellation: controller });
      answer = { result: shape.encode(result), jsonrpc: '2.0', id: call.id };
    } catch (error) {
      answer = { jsonrpc: '2.0', id: call.id, error: rpcError(error as Error & { code?: unknown; data?: unknown }) };
    } finally {
      response.off('close', abandon);
      shape.inFlight?.delete(call.id);
    }
    if (response.writableEnded || response.destroyed) return;
    // A call the client cancelled is owed no answer: the exchange ends empty rather than hanging.
    if (controller.aborted) return void response.writeHead(204).end();
    replyJson(response, 200, answer, shape.headers);
  }
}

/**
 * An AbortController that knows it was aborted without making its signal: the executor makes the signal only if the
 * tool runs, and a call answered from the cache needs none.
 */
class CallAbort extends AbortController {
  aborted = false;

  override abort(reason?: unknown): void {
    this.aborted = true;
    super.abort(reason);
  }
}

/** A single JSON-RPC tools/call request with exactly the allowed params, to a tool that doesn't talk back. */
function plainCall(body: unknown, paramKeys: Set<string>): PlainToolCall | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call' || !hasOnlyKeys(body, REQUEST_KEYS)) return undefined;
  const { id, params } = body;
  if (!(typeof id === 'string' || Number.isSafeInteger(id)) || !isPlainObject(params) || !hasOnlyKeys(params, paramKeys)) return undefined;
  if (typeof params.name !== 'string' || McpRequestChannel.talksBack(params.name)) return undefined;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return undefined;
  if (params._meta !== undefined && !isPlainObject(params._meta)) return undefined;
  return { id: id as RequestId, name: params.name, arguments: params.arguments };
}

/**
 * The per-request envelope in the shape every well-behaved client sends: the revision, capabilities (each an
 * object), optional client info and log level, and nothing else (a progress token or trace context goes to the SDK).
 */
function isPlainEnvelope(meta: unknown): boolean {
  if (!isPlainObject(meta) || !hasOnlyKeys(meta, ENVELOPE_KEYS) || meta[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION) return false;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isPlainObject(capabilities) || !Object.values(capabilities).every(isPlainObject)) return false;
  const client = meta[CLIENT_INFO_META_KEY];
  if (client !== undefined && !(isPlainObject(client) && typeof client.name === 'string' && typeof client.version === 'string')) return false;
  const level = meta[LOG_LEVEL_META_KEY];
  return level === undefined || (typeof level === 'string' && LOG_LEVELS.has(level));
}

/** The JSON-RPC error the SDK's dispatcher makes of a handler's exception. */
function rpcError(error: Error & { code?: unknown; data?: unknown }): Record<string, unknown> {
  const code = Number.isSafeInteger(error.code) ? (error.code as number) : -32603;
  // Both codecs send resource-not-found (-32002) as invalid params.
  return { code: code === -32002 ? -32602 : code, message: error.message ?? 'Internal error', ...(error.data !== undefined ? { data: error.data } : {}) };
}

function hasOnlyKeys(value: Record<string, unknown>, allowed: Set<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}
