import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CacheModule } from './cache/cache.module.js';
import { AppConfigModule } from './config/config.module.js';
import { SecretsModule } from './crypto/secrets.module.js';
import type { DatabaseSchema } from './database/data-source-options.js';
import { DatabaseModule } from './database/database.module.js';
import { ProblemDetailsFilter } from './errors/problem-details.filter.js';
import { ReadinessModule } from './health/readiness.module.js';
import { createValidationPipe } from './http/validation.pipe.js';
import { LoggingModule } from './logging/logging.module.js';
import { RedisModule } from './redis/redis.module.js';

/** Everything a feature module stands on; the app gives it the schema its libs make up. */
@Module({})
export class CoreModule {
  static forRoot(schema: DatabaseSchema): DynamicModule {
    return {
      module: CoreModule,
      imports: [AppConfigModule, LoggingModule, SecretsModule, RedisModule, CacheModule, ReadinessModule, DatabaseModule.forRoot(schema)],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
