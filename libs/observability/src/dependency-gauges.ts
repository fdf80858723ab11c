import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { raceAbort, RedisService } from '@app/core';
import { LegacySessions } from '@app/mcp';
import { Metrics } from './metrics.service.js';

/** As long as readiness gives its database ping: a scrape never waits on a hung database for longer. */
const DATABASE_PING_TIMEOUT_MS = 1500;

/** What node-postgres' pool reports; the embedded database has no pool, and no pool gauges. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Gauges read at scrape time from the components that own the numbers: sessions, the database (and its pool where
 * there is one), Redis (when configured).
 */
@Injectable()
export class DependencyGauges implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly sessions: LegacySessions,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('mcpa_mcp_sessions_active', 'MCP sessions (2025-era) this instance holds', () => this.sessions.localServers().length);
    this.metrics.gauge('mcpa_db_up', '1 while the database answers a ping, 0 while it does not', () => this.databaseUp());
    const pool = (this.dataSource.driver as { master?: PgPool }).master;
    if (pool && 'totalCount' in pool) {
      this.metrics.gauge('mcpa_db_pool_connections', 'Postgres pool connections open', () => pool.totalCount);
      this.metrics.gauge('mcpa_db_pool_idle', 'Postgres pool connections idle', () => pool.idleCount);
      this.metrics.gauge('mcpa_db_pool_waiting', 'Queries waiting for a Postgres pool connection', () => pool.waitingCount);
    }
    if (this.redis.configured) this.metrics.gauge('mcpa_redis_up', '1 while Redis is connected, 0 while it is not', () => Number(this.redis.ready));
  }

  /** The readiness check's database ping, as a number Prometheus can alert on. */
  private async databaseUp(): Promise<number> {
    try {
      await raceAbort(this.dataSource.query('SELECT 1'), AbortSignal.timeout(DATABASE_PING_TIMEOUT_MS));
      return 1;
    } catch {
      return 0;
    }
  }
}
