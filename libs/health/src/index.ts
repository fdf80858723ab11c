export { HealthModule } from './health.module.js';
export { ShutdownService } from './shutdown.service.js';
export { answerLivenessInFastify } from './liveness-route.js';
