import { Module } from '@nestjs/common';
import { AgentsModule } from '@app/agents';
import { HealthModule } from '@app/health';
import { McpModule } from '@app/mcp';
import { ToolsModule } from '@app/tools';
import { UsersModule } from '@app/users';
import { AgentMetricsObserver } from './agent-metrics.observer.js';
import { ALERT_CONTROLLERS, ALERT_PROVIDERS } from './alerts/alerts.providers.js';
import { DependencyGauges } from './dependency-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';
import { ToolMetricsObserver } from './tool-metrics.observer.js';

/**
 * Prometheus metrics at GET /metrics (HTTP, tool calls, the result cache, agent runs and tokens, MCP sessions, the
 * database pool, Redis), and alerting: rules evaluated on a schedule from the readiness checks and those metrics,
 * notifications to channels.
 */
@Module({
  imports: [ToolsModule, McpModule, AgentsModule, HealthModule, UsersModule],
  controllers: [MetricsController, ...ALERT_CONTROLLERS],
  providers: [Metrics, ToolMetricsObserver, AgentMetricsObserver, DependencyGauges, ...ALERT_PROVIDERS],
  exports: [Metrics],
})
export class ObservabilityModule {}
