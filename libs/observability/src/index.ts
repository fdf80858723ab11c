export { ObservabilityModule } from './observability.module.js';
export { Metrics } from './metrics.service.js';
export { registerHttpMetrics } from './http-metrics.js';
