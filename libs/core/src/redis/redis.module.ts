import { Global, Module } from '@nestjs/common';
import { LockService } from './lock.service.js';
import { RedisService } from './redis.service.js';

@Global()
@Module({ providers: [RedisService, LockService], exports: [RedisService, LockService] })
export class RedisModule {}
