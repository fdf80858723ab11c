import { Global, Module } from '@nestjs/common';
import { ClusterBus } from './cluster-bus.service.js';
import { LockService } from './lock.service.js';
import { RedisService } from './redis.service.js';

@Global()
@Module({ providers: [RedisService, LockService, ClusterBus], exports: [RedisService, LockService, ClusterBus] })
export class RedisModule {}
