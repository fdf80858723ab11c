import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainException, mcpConfig } from '@app/core';
import { AnonymousUserService, ApiKeyAuthenticator, credentialFrom, type Principal } from '@app/users';

type Headers = Record<string, string | string[] | undefined>;

/**
 * MCP checks its callers itself: the same API keys as REST (Bearer or X-API-Key), or, where an operator allowed it,
 * none at all as the built-in anonymous member. A refusal names the protected-resource metadata (RFC 9728) in its
 * WWW-Authenticate challenge, as MCP clients expect.
 */
@Injectable()
export class McpAuthenticator implements OnApplicationBootstrap {
  private readonly logger = new Logger(McpAuthenticator.name);

  constructor(
    @Inject(mcpConfig.KEY) private readonly config: ConfigType<typeof mcpConfig>,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly anonymous: AnonymousUserService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.allowAnonymous) {
      this.logger.warn('MCP_ALLOW_ANONYMOUS is on: /mcp serves callers without an API key as the anonymous member. Never in production.');
    }
  }

  async authenticate(headers: Headers, resourceMetadataUrl: string): Promise<Principal> {
    try {
      return await this.principalFor(credentialFrom(headers));
    } catch (error) {
      if (!(error instanceof DomainException) || error.status !== 401) throw error;
      const challenge = `${error.headers?.['www-authenticate'] ?? 'Bearer'}, resource_metadata="${resourceMetadataUrl}"`;
      throw new DomainException({ status: 401, code: error.code, title: error.title, detail: error.message, headers: { 'www-authenticate': challenge } });
    }
  }

  /** Who a key stands for, or a caller without one where that is allowed; the stdio server's caller comes from here too. */
  async principalFor(credential: string | undefined): Promise<Principal> {
    if (!credential && this.config.allowAnonymous) return this.anonymous.resolve();
    return this.apiKeys.authenticate(credential);
  }
}
