import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { toolsConfig } from '@app/core';
import { ToolExecutionError } from '../tool-handler.js';
import { AddressPolicy, ForbiddenAddressError } from './address-policy.js';
import { guardedConnector } from './guarded-connector.js';
import { HostAllowlist } from './host-allowlist.js';

export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CONNECT_TIMEOUT_MS = 10_000;
/** Always dropped when a redirect leaves the origin, besides the headers a caller marks sensitive. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];
/** Framing and routing headers the client sets itself; a caller's value would only confuse the exchange. */
const CLIENT_OWNED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'te', 'upgrade', 'expect']);

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Header names (besides Authorization, Cookie…) removed when a redirect leads to another origin. */
  sensitiveHeaders?: readonly string[];
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  /** At most TOOLS_HTTP_MAX_RESPONSE_BYTES: past the cap the rest is not read and `truncated` is set. */
  body: Buffer;
  truncated: boolean;
  /** The URL that answered, after redirects. */
  url: string;
}

/*
 * Refusals are ToolExecutionErrors (an isError result, recorded in history), not 4xx problems: whether a URL is allowed
 * is only known once DNS and redirects have been followed, so it is an outcome of running the tool, and the model
 * calling it gets to read why and try another URL.
 */

function forbidden(message: string): ToolExecutionError {
  return new ToolExecutionError(message, 'URL_FORBIDDEN');
}

function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolExecutionError(`"${text}" is not an absolute URL`, 'URL_INVALID');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw forbidden(`${url.protocol} URLs are refused: only http and https`);
  if (url.username || url.password) throw forbidden('URLs with credentials in them are refused: put them in a header');
  return url;
}

function findForbidden(error: unknown): ForbiddenAddressError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof ForbiddenAddressError) return cause;
  return undefined;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());
}

function withoutHeaders(headers: Record<string, string>, names: Iterable<string>): Record<string, string> {
  const dropped = new Set([...names].map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())));
}

/**
 * Outbound HTTP for tools, safe against SSRF: every connection (first request and each redirect hop, followed here by
 * hand) goes through a connector that refuses non-public and metadata addresses at connect time unless the host is in
 * TOOLS_HTTP_ALLOWLIST; the response body is read up to TOOLS_HTTP_MAX_RESPONSE_BYTES; the call's signal aborts it all.
 */
@Injectable()
export class SafeHttpClient implements OnModuleDestroy {
  readonly maxResponseBytes: number;
  private readonly agent: Agent;

  constructor(@Inject(toolsConfig.KEY) config: ConfigType<typeof toolsConfig>) {
    this.maxResponseBytes = config.httpMaxResponseBytes;
    const policy = new AddressPolicy(new HostAllowlist(config.httpAllowlist));
    this.agent = new Agent({ connect: guardedConnector(policy, CONNECT_TIMEOUT_MS) });
  }

  /**
   * A fetch that connects only where the guard allows, for clients that take one (the MCP SDK's transport talking to
   * upstreams). Redirects it follows go through the same connector, so every hop is checked too.
   */
  readonly fetch = (url: string | URL, init?: RequestInit): Promise<Response> =>
    undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: this.agent }) as unknown as Promise<Response>;

  async onModuleDestroy(): Promise<void> {
    await this.agent.destroy();
  }

  async send(call: HttpCall): Promise<HttpReply> {
    let url = parseTarget(call.url);
    let method = call.method.toUpperCase();
    let body = call.body;
    let headers = withoutHeaders(call.headers ?? {}, CLIENT_OWNED_HEADERS);
    for (let hop = 0; ; hop++) {
      const response = await this.dispatch(url, method, headers, body, call.signal);
      const location = REDIRECT_STATUSES.has(response.statusCode) ? response.headers.location : undefined;
      if (typeof location !== 'string') return { ...(await this.readCapped(response.body)), status: response.statusCode, headers: flattenHeaders(response.headers), url: url.href };
      await response.body.dump();
      if (hop === MAX_REDIRECTS) throw new ToolExecutionError(`${call.url} redirected more than ${MAX_REDIRECTS} times`, 'TOO_MANY_REDIRECTS');
      const next = parseTarget(new URL(location, url).href);
      if (next.origin !== url.origin) headers = withoutHeaders(headers, [...CREDENTIAL_HEADERS, ...(call.sensitiveHeaders ?? [])]);
      // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
      if ((response.statusCode === 303 && method !== 'HEAD') || ([301, 302].includes(response.statusCode) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = withoutHeaders(headers, ['content-type']);
      }
      url = next;
    }
  }

  private async dispatch(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal) {
    try {
      return await request(url, { dispatcher: this.agent, method: method as 'GET', headers, body, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      const refusal = findForbidden(error);
      if (refusal) throw forbidden(refusal.message);
      throw new ToolExecutionError(`${method} ${url.origin} failed: ${(error as Error).message}`, 'HTTP_REQUEST_FAILED');
    }
  }

  /** Reads at most maxResponseBytes and then stops, so a huge or endless response costs no more than the cap. */
  private async readCapped(stream: AsyncIterable<Buffer> & { destroy(): void }): Promise<{ body: Buffer; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      if (size + chunk.length > this.maxResponseBytes) {
        chunks.push(chunk.subarray(0, this.maxResponseBytes - size));
        stream.destroy();
        return { body: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    return { body: Buffer.concat(chunks), truncated: false };
  }
}
