export { ObservabilityModule } from './observability.module.js';
export { Metrics } from './metrics.service.js';
export { registerHttpMetrics } from './http-metrics.js';
export { ALERTS_SCHEMA } from './alerts/alerts-schema.js';
export { AlertScheduler } from './alerts/evaluation/alert-scheduler.js';
export { AlertEvaluator, type EvaluationReport } from './alerts/evaluation/alert-evaluator.js';
export { AlertEnvironmentSync } from './alerts/alert-environment.sync.js';
export { NotificationQueue } from './alerts/delivery/notification-queue.js';
export { webhookSignature } from './alerts/channels/webhook.sender.js';
