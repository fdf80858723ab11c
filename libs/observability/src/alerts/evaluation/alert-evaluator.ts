import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { alertingConfig, RedisService } from '@app/core';
import { ReadinessProbe } from '@app/health';
import type { AlertChannel } from '../entities/alert-channel.entity.js';
import type { AlertRule } from '../entities/alert-rule.entity.js';
import type { Alert } from '../entities/alert.entity.js';
import type { AlertMessage } from '../channels/alert-message.js';
import { AlertHistoryWriter } from '../delivery/alert-history.writer.js';
import { NotificationQueue } from '../delivery/notification-queue.js';
import { AlertCatalog } from './alert-catalog.js';
import { observe, type IndicatorStatus, type RuleInputs } from './rule-observations.js';
import { INITIAL_STATE, step, type Observation, type RuleState } from './rule-state.js';
import { RuleStateStore, stateKey, type StateEntry } from './rule-state.store.js';
import { TrafficWindow } from './traffic-window.js';

/** Counts what one evaluation did, for logs and tests. */
export interface EvaluationReport {
  rules: number;
  fired: string[];
  resolved: string[];
}

/**
 * One evaluation of every rule: reads the readiness checks and the traffic windows the rules need, steps each rule's
 * state per subject, and for each rule that fires or resolves records the incident and queues one notification per
 * channel. Runs on one instance at a time (AlertScheduler); the states it steps live in RuleStateStore.
 */
@Injectable()
export class AlertEvaluator {
  private readonly logger = new Logger(AlertEvaluator.name);

  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly catalog: AlertCatalog,
    private readonly states: RuleStateStore,
    private readonly traffic: TrafficWindow,
    private readonly readiness: ReadinessProbe,
    private readonly redis: RedisService,
    private readonly history: AlertHistoryWriter,
    private readonly queue: NotificationQueue,
  ) {}

  async evaluate(now = Date.now()): Promise<EvaluationReport> {
    // Side by side: with a dependency down each read may wait out its timeout.
    const [{ rules, channels }, states, readiness] = await Promise.all([this.catalog.read(), this.states.load(), this.readinessDetails()]);
    const windows = new Map<number, Promise<RuleInputs['traffic']>>();
    const trafficFor = (seconds: number) => {
      if (!windows.has(seconds)) windows.set(seconds, this.traffic.read(seconds, now).then(({ counts, scope }) => ({ counts, partial: scope === 'instance' && this.redis.configured })));
      return windows.get(seconds)!;
    };
    const report: EvaluationReport = { rules: 0, fired: [], resolved: [] };
    const changed: StateEntry[] = [];
    for (const rule of rules) {
      const observations = rule.enabled ? observe(rule, { readiness, traffic: rule.windowSeconds ? await trafficFor(rule.windowSeconds) : undefined }) : [];
      if (rule.enabled) report.rules++;
      // A subject no longer observed (a tool without calls, a disabled rule) resolves what it had open.
      const seen = new Set(observations.map((observation) => observation.subject));
      for (const entry of states.values()) {
        if (entry.ruleId === rule.id && entry.state.status === 'firing' && !seen.has(entry.subject)) {
          observations.push({ subject: entry.subject, breaching: false, value: null, summary: rule.enabled ? 'no longer observed' : 'rule disabled' });
        }
      }
      for (const observation of observations) {
        const previous = states.get(stateKey(rule.id, observation.subject))?.state ?? INITIAL_STATE;
        const { state, transition } = step(previous, observation, rule, now, randomUUID());
        if (state !== previous) changed.push({ ruleId: rule.id, subject: observation.subject, state });
        if (transition.kind === 'fire') {
          report.fired.push(this.label(rule, observation.subject));
          this.notify(rule, observation, state, 'firing', channels, now);
        } else if (transition.kind === 'resolve') {
          report.resolved.push(this.label(rule, observation.subject));
          this.notify(rule, observation, previous, 'resolved', channels, now);
        }
      }
    }
    await this.states.save(changed);
    await this.history.flush();
    return report;
  }

  /** Every readiness check's state, read each evaluation: the default rules watch them. */
  private async readinessDetails(): Promise<Record<string, IndicatorStatus>> {
    const { result } = await this.readiness.check();
    return (result.details ?? {}) as Record<string, IndicatorStatus>;
  }

  /** Records the incident's change and queues its notification to each of the rule's enabled channels. */
  private notify(rule: AlertRule, observation: Observation, state: RuleState, event: 'firing' | 'resolved', channels: AlertChannel[], now: number): void {
    const value = rule.kind === 'dependency_down' ? state.breaches : (state.value ?? observation.value);
    const alert: Alert = {
      id: state.alertId!,
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      subject: observation.subject,
      severity: rule.severity,
      state: event,
      summary: event === 'firing' ? observation.summary : (state.summary ?? observation.summary),
      value,
      threshold: rule.kind === 'dependency_down' ? rule.consecutiveBreaches : rule.threshold,
      dedupKey: `mcpa-${state.alertId}`,
      startedAt: new Date(state.since ?? now),
      resolvedAt: event === 'resolved' ? new Date(now) : null,
      notifications: [],
      createdAt: new Date(state.since ?? now),
      updatedAt: new Date(now),
    };
    void (event === 'firing' ? this.history.opened(alert) : this.history.resolved(alert));
    const message: AlertMessage & { event: typeof event } = {
      event,
      alertId: alert.id,
      dedupKey: alert.dedupKey,
      ruleName: rule.name,
      ruleKind: rule.kind,
      severity: rule.severity,
      subject: alert.subject,
      summary: event === 'resolved' ? `resolved (${observation.summary}); was: ${alert.summary}` : alert.summary,
      value: alert.value,
      threshold: alert.threshold,
      startedAt: alert.startedAt.toISOString(),
      resolvedAt: alert.resolvedAt?.toISOString() ?? null,
      source: this.config.source,
    };
    const targets = channels.filter((channel) => channel.enabled && (rule.channelIds === null || rule.channelIds.includes(channel.id)));
    this.logger.log(`alert ${event}: ${this.label(rule, observation.subject)}: ${message.summary} (notifying ${targets.length} channel(s))`);
    for (const channel of targets) this.queue.enqueue(message, channel);
  }

  private label(rule: AlertRule, subject: string): string {
    return subject ? `${rule.name} (${subject})` : rule.name;
  }
}
