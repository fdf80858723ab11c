import { McpToolHandler } from './mcp-tool.handler.js';
import { UpstreamClientPool } from './upstream-client-pool.js';
import { UpstreamStatusWriter } from './upstream-status.js';
import { UpstreamSyncScheduler } from './upstream-sync.scheduler.js';
import { UpstreamSync } from './upstream-sync.service.js';
import { UpstreamsService } from './upstreams.service.js';

/** Upstream MCP federation, as ToolsModule provides it. */
export const UPSTREAM_PROVIDERS = [UpstreamClientPool, UpstreamStatusWriter, UpstreamSync, UpstreamSyncScheduler, UpstreamsService, McpToolHandler];
