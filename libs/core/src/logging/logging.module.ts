import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { loggingConfig } from '../config/configuration.js';
import { createRootLogger, ROOT_LOGGER, stopFlushing } from './root-logger.js';

/**
 * nestjs-pino's Logger as the app's LoggerService, over our root pino logger. Its LoggerModule is left out on
 * purpose: that module mounts a per-request middleware (see access-log.ts for why the app does without it).
 */
@Global()
@Module({
  providers: [
    { provide: ROOT_LOGGER, inject: [loggingConfig.KEY], useFactory: createRootLogger },
    { provide: PARAMS_PROVIDER_TOKEN, inject: [ROOT_LOGGER], useFactory: (logger: Pino) => ({ pinoHttp: { logger } }) },
    PinoLogger,
    Logger,
  ],
  exports: [ROOT_LOGGER, PinoLogger, Logger],
})
export class LoggingModule implements OnApplicationShutdown {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Pino) {}

  onApplicationShutdown(): void {
    stopFlushing(this.logger);
  }
}
