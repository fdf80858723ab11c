import { AlertChannelsController } from './alert-channels.controller.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertEnvironmentSync } from './alert-environment.sync.js';
import { AlertHistoryService } from './alert-history.service.js';
import { AlertRulesController } from './alert-rules.controller.js';
import { AlertRulesService } from './alert-rules.service.js';
import { AlertsController } from './alerts.controller.js';
import { ChannelCredentials } from './channels/channel-credentials.js';
import { ChannelSenders, SENDER_CLASSES } from './channels/channel-senders.js';
import { AlertHistoryWriter } from './delivery/alert-history.writer.js';
import { NotificationQueue } from './delivery/notification-queue.js';
import { AlertCatalog } from './evaluation/alert-catalog.js';
import { AlertEvaluator } from './evaluation/alert-evaluator.js';
import { AlertScheduler } from './evaluation/alert-scheduler.js';
import { EvaluationSlot } from './evaluation/evaluation-slot.js';
import { RuleStateStore } from './evaluation/rule-state.store.js';
import { TrafficWindow } from './evaluation/traffic-window.js';

/** Alerting's admin API: channels, rules and the history. */
export const ALERT_CONTROLLERS = [AlertChannelsController, AlertRulesController, AlertsController];

export const ALERT_PROVIDERS = [
  ...SENDER_CLASSES,
  ChannelSenders,
  ChannelCredentials,
  AlertHistoryWriter,
  NotificationQueue,
  AlertCatalog,
  RuleStateStore,
  TrafficWindow,
  EvaluationSlot,
  AlertEvaluator,
  AlertScheduler,
  AlertEnvironmentSync,
  AlertChannelsService,
  AlertRulesService,
  AlertHistoryService,
];
