import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LockService, toolsConfig, type LockResult } from '@app/core';
import { SYSTEM_ACTOR, UpstreamSync } from './upstream-sync.service.js';

const LOCK_NAME = 'upstream-sync';

/** Re-syncs every enabled upstream each UPSTREAM_SYNC_INTERVAL_SECONDS, on one instance at a time (a Redis lock). */
@Injectable()
export class UpstreamSyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamSyncScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(toolsConfig.KEY) private readonly config: ConfigType<typeof toolsConfig>,
    private readonly sync: UpstreamSync,
    private readonly locks: LockService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.upstreamSyncIntervalMs <= 0) return;
    const tick = () => void this.runScheduled().catch((error: Error) => this.logger.error(`upstream sync failed: ${error.message}`));
    this.timer = setInterval(tick, this.config.upstreamSyncIntervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One scheduled run, unless another instance is syncing (or Redis can't say whether one is). */
  runScheduled(): Promise<LockResult<void>> {
    // The lock lasts one interval at most, so a crashed holder delays the next sync by one run, no more.
    return this.locks.runExclusive(LOCK_NAME, this.config.upstreamSyncIntervalMs, () => this.sync.syncAll(SYSTEM_ACTOR));
  }
}
