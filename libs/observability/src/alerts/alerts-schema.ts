import type { DatabaseSchema } from '@app/core';
import { AlertChannel } from './entities/alert-channel.entity.js';
import { AlertRule } from './entities/alert-rule.entity.js';
import { Alert } from './entities/alert.entity.js';
import { Alerting1764700000000 } from './migrations/1764700000000-Alerting.js';

/** The observability lib's part of the schema: alerting. */
export const ALERTS_SCHEMA: DatabaseSchema = {
  entities: [AlertChannel, AlertRule, Alert],
  migrations: [Alerting1764700000000],
};
