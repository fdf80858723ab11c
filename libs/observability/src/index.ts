export { ObservabilityModule } from './observability.module.js';
export { Metrics } from './metrics.service.js';
export { registerHttpMetrics } from './http-metrics.js';
export { ALERTS_SCHEMA } from './alerts/alerts-schema.js';
