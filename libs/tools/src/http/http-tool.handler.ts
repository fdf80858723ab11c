import { Injectable } from '@nestjs/common';
import { SecretBox } from '@app/core';
import type { Tool } from '../entities/tool.entity.js';
import { ToolCallContext, ToolExecutionError, ToolHandlers, ToolKindHandler } from '../tool-handler.js';
import { type HttpToolConfig, prepareHttpToolConfig, redactHttpToolConfig } from './http-tool-config.js';
import { buildHttpToolRequest } from './http-tool-request.js';
import { decodeBody, excerpt } from './response-body.js';
import { hasHeader, SafeHttpClient } from './safe-http-client.js';

/**
 * Runs tools of kind `http`: an admin-registered URL template called with the arguments through the SSRF-safe client.
 * A 2xx JSON response is the result as parsed; any other body is `{ text }`. A non-2xx status fails with HTTP_<status>
 * and the start of the body; a body over TOOLS_HTTP_MAX_RESPONSE_BYTES fails with RESPONSE_TOO_LARGE, as a cut
 * document is not the answer.
 */
@Injectable()
export class HttpToolHandler implements ToolKindHandler {
  readonly kind = 'http' as const;

  constructor(
    handlers: ToolHandlers,
    private readonly box: SecretBox,
    private readonly client: SafeHttpClient,
  ) {
    handlers.register(this);
  }

  prepareConfig(config: Record<string, unknown>, inputSchema: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown> {
    return prepareHttpToolConfig(config, inputSchema, previous, this.box);
  }

  redactConfig(config: Record<string, unknown>): Record<string, unknown> {
    return redactHttpToolConfig(config);
  }

  async execute(tool: Tool, args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    const config = tool.config as unknown as HttpToolConfig;
    const request = buildHttpToolRequest(config, args);
    const headers = this.box.openValues(config.headers ?? {});
    if (request.body !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    if (!hasHeader(headers, 'accept')) headers.accept = 'application/json, text/*;q=0.9, */*;q=0.5';
    const reply = await this.client.send({
      ...request,
      headers,
      signal: context.signal,
      // Every configured header may be a credential: none follows a redirect to another origin.
      sensitiveHeaders: Object.keys(config.headers ?? {}),
    });
    if (reply.status < 200 || reply.status > 299) {
      throw new ToolExecutionError(`${request.method} ${new URL(reply.url).origin} answered ${reply.status}: ${excerpt(reply.body.toString('utf8'))}`, `HTTP_${reply.status}`);
    }
    if (reply.truncated) throw new ToolExecutionError(`the response is over the ${this.client.maxResponseBytes}-byte cap (TOOLS_HTTP_MAX_RESPONSE_BYTES)`, 'RESPONSE_TOO_LARGE');
    const body = decodeBody(reply, 'auto');
    return typeof body === 'string' ? { text: body } : body;
  }
}
