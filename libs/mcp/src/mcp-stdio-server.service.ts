import { Injectable, Logger } from '@nestjs/common';
import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { ConfigurationError, DomainException } from '@app/core';
import { apiKeyPrefix, type Principal } from '@app/users';
import { McpAuthenticator } from './mcp-authenticator.service.js';
import { McpServerFactory } from './mcp-server.factory.js';

/**
 * MCP over stdio for desktop clients: one connection and one caller, resolved from the process's API key before
 * anything is served, answered by the servers McpServerFactory builds for HTTP. The SDK picks the protocol
 * generation from the client's opening message.
 */
@Injectable()
export class McpStdioServer {
  private readonly logger = new Logger(McpStdioServer.name);

  constructor(
    private readonly authenticator: McpAuthenticator,
    private readonly factory: McpServerFactory,
  ) {}

  /** Serves the caller `apiKey` stands for on stdin/stdout; a key that names no one is a ConfigurationError. */
  async start(apiKey: string | undefined): Promise<StdioServerHandle> {
    const principal = await this.callerFor(apiKey);
    this.logger.log(`serving MCP over stdio to ${principal.user.email} (${principal.role})`);
    return serveStdio(() => this.factory.build({ principal }), { onerror: (error) => this.logger.warn(`MCP over stdio: ${error.message}`) });
  }

  private async callerFor(apiKey: string | undefined): Promise<Principal> {
    try {
      return await this.authenticator.principalFor(apiKey);
    } catch (error) {
      if (!(error instanceof DomainException) || error.status !== 401) throw error;
      if (!apiKey) throw new ConfigurationError('API_KEY is required: set it to your API key (mcpa_…), or MCP_ALLOW_ANONYMOUS=true');
      const hint = apiKeyPrefix(apiKey) ? '' : '; over stdio API_KEY must be a user\'s API key (mcpa_…)';
      throw new ConfigurationError(`API_KEY was refused: ${error.message} (${error.code})${hint}`);
    }
  }
}
