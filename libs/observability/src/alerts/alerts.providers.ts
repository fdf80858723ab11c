import { AlertEnvironmentSync } from './alert-environment.sync.js';
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
export const ALERT_CONTROLLERS = [];

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
];
