import { Controller, Delete, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mcpConfig, Produces, Public, SkipRateLimit } from '@app/core';
import { ANONYMOUS_USER_ID, credentialFrom, RateLimits } from '@app/users';
import { McpAuthenticator } from './mcp-authenticator.service.js';
import { baseUrl, PROTECTED_RESOURCE_PATH, protectedResourceMetadata } from './protected-resource.js';
import { RequestOriginPolicy } from './request-origin.policy.js';
import { McpHttpTransport } from './transport/mcp-http-transport.service.js';

/**
 * The MCP endpoint (Streamable HTTP) and its RFC 9728 metadata. Not REST, so not in the OpenAPI document; public to
 * the global guards because /mcp authenticates on its own terms (anonymous opt-in, a challenge naming the metadata),
 * and then spends the caller's rate-limit budget itself, per key like REST.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller()
export class McpController {
  constructor(
    @Inject(mcpConfig.KEY) private readonly config: ConfigType<typeof mcpConfig>,
    private readonly origins: RequestOriginPolicy,
    private readonly authenticator: McpAuthenticator,
    private readonly transport: McpHttpTransport,
    private readonly limits: RateLimits,
  ) {}

  @Post('mcp')
  @Produces('application/json', 'text/event-stream')
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply);
  }

  @Get('mcp')
  @Produces('text/event-stream', 'application/json')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply);
  }

  @Delete('mcp')
  end(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply);
  }

  /** Both the root form and RFC 9728's path-suffixed form for the /mcp resource. */
  @Get([PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/mcp`])
  metadata(@Req() request: FastifyRequest) {
    return protectedResourceMetadata(baseUrl(request, this.config.publicUrl));
  }

  private async serve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    this.origins.check(request.headers);
    const principal = await this.authenticator.authenticate(request.headers, `${baseUrl(request, this.config.publicUrl)}${PROTECTED_RESOURCE_PATH}`);
    // Anonymous callers share one user: they are told apart by address, as anonymous REST callers are.
    await this.limits.consume(principal.userId === ANONYMOUS_USER_ID ? undefined : principal, request.ip, reply);
    // From here the SDK writes the raw response; the headers hooks already set (request id, security) go along.
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    await this.transport.handle(request.raw, reply.raw, request.body, principal, credentialFrom(request.headers));
  }
}
