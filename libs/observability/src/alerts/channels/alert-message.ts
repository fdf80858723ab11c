import type { RuleKind, Severity } from '../entities/alert-rule.entity.js';

/** `test` is what POST /alerts/channels/{id}/test sends. */
export type MessageEvent = 'firing' | 'resolved' | 'test';

/** What every channel is given to say; each kind shapes it its own way. */
export interface AlertMessage {
  event: MessageEvent;
  alertId: string;
  /** Shared by an incident's trigger and resolve, so channels that de-duplicate (PagerDuty) close what they opened. */
  dedupKey: string;
  ruleName: string;
  ruleKind: RuleKind | 'test';
  severity: Severity;
  subject: string;
  summary: string;
  value: number | null;
  threshold: number | null;
  /** ISO times. */
  startedAt: string;
  resolvedAt: string | null;
  /** The deployment that sends it (ALERT_SOURCE). */
  source: string;
}

/** `[FIRING] database-down`: the one line every channel leads with. */
export function messageTitle(message: AlertMessage): string {
  const subject = message.subject ? ` (${message.subject})` : '';
  return `[${message.event.toUpperCase()}] ${message.ruleName}${subject}`;
}

/** The one-line text channels without formatting get (SMS, Slack's fallback). */
export function messageLine(message: AlertMessage): string {
  return `${messageTitle(message)}: ${message.summary}`;
}
