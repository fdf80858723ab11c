export { HealthModule } from './health.module.js';
export { ShutdownService } from './shutdown.service.js';
export { ReadinessProbe, type ReadinessReport } from './readiness-probe.service.js';
export { answerLivenessInFastify } from './liveness-route.js';
