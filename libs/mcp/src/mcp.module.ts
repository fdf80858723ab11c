import { Module } from '@nestjs/common';
import { AgentsModule } from '@app/agents';
import { mcpConfig, RedisService } from '@app/core';
import { HistoryModule } from '@app/history';
import { ToolsModule } from '@app/tools';
import { UsersModule } from '@app/users';
import { ConformanceFixtures } from './fixtures/conformance-fixtures.js';
import { McpAuthenticator } from './mcp-authenticator.service.js';
import { McpController } from './mcp.controller.js';
import { McpServerFactory } from './mcp-server.factory.js';
import { McpStdioServer } from './mcp-stdio-server.service.js';
import { McpTools } from './mcp-tools.service.js';
import { AgentPrompts } from './prompts/agent-prompts.js';
import { McpPrompts } from './prompts/mcp-prompts.service.js';
import { RequestOriginPolicy } from './request-origin.policy.js';
import { ConversationResources } from './resources/conversation-resources.js';
import { McpResources } from './resources/mcp-resources.service.js';
import { DirectToolCalls } from './transport/direct-tool-calls.js';
import { LegacySessions } from './transport/legacy-sessions.service.js';
import { McpHttpTransport } from './transport/mcp-http-transport.service.js';
import { RedisSessionStore } from './transport/redis-session-store.js';
import { InMemorySessionStore, MCP_SESSION_STORE } from './transport/session-store.js';

/** The MCP face of the registry: Streamable HTTP at /mcp for both protocol generations, tools, resources, prompts. */
@Module({
  imports: [UsersModule, HistoryModule, ToolsModule, AgentsModule],
  controllers: [McpController],
  providers: [
    McpTools,
    McpResources,
    McpPrompts,
    AgentPrompts,
    ConversationResources,
    McpServerFactory,
    {
      provide: MCP_SESSION_STORE,
      inject: [RedisService, mcpConfig.KEY],
      useFactory: (redis: RedisService, config: { sessionIdleMs: number }) =>
        redis.configured ? new RedisSessionStore(redis, config.sessionIdleMs) : new InMemorySessionStore(config.sessionIdleMs),
    },
    DirectToolCalls,
    LegacySessions,
    McpHttpTransport,
    McpAuthenticator,
    McpStdioServer,
    RequestOriginPolicy,
    ConformanceFixtures,
  ],
  exports: [McpServerFactory, McpTools, McpResources, McpPrompts, LegacySessions, McpStdioServer],
})
export class McpModule {}
