export { HealthModule } from './health.module.js';
export { ShutdownService } from './shutdown.service.js';
export { ReadinessProbe, type ReadinessReport } from './readiness-probe.service.js';
