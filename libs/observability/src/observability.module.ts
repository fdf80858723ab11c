import { Module } from '@nestjs/common';
import { AgentsModule } from '@app/agents';
import { McpModule } from '@app/mcp';
import { ToolsModule } from '@app/tools';
import { AgentMetricsObserver } from './agent-metrics.observer.js';
import { DependencyGauges } from './dependency-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';
import { ToolMetricsObserver } from './tool-metrics.observer.js';

/** Prometheus metrics at GET /metrics: HTTP, tool calls, the result cache, agent runs and tokens, MCP sessions, the database pool and Redis. */
@Module({
  imports: [ToolsModule, McpModule, AgentsModule],
  controllers: [MetricsController],
  providers: [Metrics, ToolMetricsObserver, AgentMetricsObserver, DependencyGauges],
  exports: [Metrics],
})
export class ObservabilityModule {}
