import { Logger, Module } from '@nestjs/common';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { RedisService } from '../redis/redis.service.js';

const logger = new Logger('Cache');

/** Redis when REDIS_URL is set (its own resilient connection), memory otherwise; errors degrade to a miss. */
function createStore(redis: RedisService): Keyv {
  if (!redis.configured) return new Keyv();
  const store = new KeyvRedis(redis.connect('cache'), { keyPrefixSeparator: ':', throwOnConnectError: false, throwOnErrors: false });
  // Keyv hands its namespace to the store, which writes keys as `<namespace>:<key>` (mcpa:cache:…).
  const keyv = new Keyv({ store, namespace: redis.key('cache'), useKeyPrefix: false, throwOnErrors: false });
  // RedisService already logs outages; a listener keeps Keyv from treating errors as unhandled.
  keyv.on('error', (error: Error) => logger.debug(`cache operation failed: ${error.message}`));
  return keyv;
}

@Module({
  imports: [
    NestCacheModule.registerAsync({
      isGlobal: true,
      inject: [RedisService],
      useFactory: (redis: RedisService) => ({ stores: [createStore(redis)] }),
    }),
  ],
})
export class CacheModule {}
