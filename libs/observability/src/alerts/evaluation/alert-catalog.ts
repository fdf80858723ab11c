import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LogThrottle } from '@app/core';
import { AlertChannel } from '../entities/alert-channel.entity.js';
import { AlertRule } from '../entities/alert-rule.entity.js';

export interface Catalog {
  rules: AlertRule[];
  channels: AlertChannel[];
}

/**
 * The rules and channels evaluation works from, read fresh each time and kept: while the database is down the last
 * copy read serves, so the alert about the database still has its rule and somewhere to go.
 */
@Injectable()
export class AlertCatalog {
  private readonly logger = new Logger(AlertCatalog.name);
  private readonly warnings = new LogThrottle(60_000);
  private last: Catalog = { rules: [], channels: [] };

  constructor(private readonly dataSource: DataSource) {}

  async read(): Promise<Catalog> {
    try {
      const [rules, channels] = await Promise.all([this.dataSource.getRepository(AlertRule).find(), this.dataSource.getRepository(AlertChannel).find()]);
      this.last = { rules, channels };
    } catch (error) {
      if (this.warnings.allow()) this.logger.warn(`alert rules and channels not read, using the last copy: ${(error as Error).message}`);
    }
    return this.last;
  }
}
