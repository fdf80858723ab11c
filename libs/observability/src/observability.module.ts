import { Module } from '@nestjs/common';
import { McpModule } from '@app/mcp';
import { ToolsModule } from '@app/tools';
import { DependencyGauges } from './dependency-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';
import { ToolMetricsObserver } from './tool-metrics.observer.js';

/** Prometheus metrics at GET /metrics: HTTP, tool calls, the result cache, MCP sessions, the database pool and Redis. */
@Module({
  imports: [ToolsModule, McpModule],
  controllers: [MetricsController],
  providers: [Metrics, ToolMetricsObserver, DependencyGauges],
  exports: [Metrics],
})
export class ObservabilityModule {}
