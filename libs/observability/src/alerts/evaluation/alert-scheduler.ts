import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { alertingConfig } from '@app/core';
import { AlertEnvironmentSync } from '../alert-environment.sync.js';
import { AlertEvaluator } from './alert-evaluator.js';
import { EvaluationSlot } from './evaluation-slot.js';
import { TrafficWindow } from './traffic-window.js';

/**
 * Every ALERT_EVAL_INTERVAL_MS on every instance: adds this instance's traffic to the shared window, then evaluates
 * the rules if this instance wins the interval's slot. Ticks never overlap on an instance; the timer does not hold
 * the process open and stops at shutdown.
 */
@Injectable()
export class AlertScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly environment: AlertEnvironmentSync,
    private readonly traffic: TrafficWindow,
    private readonly slot: EvaluationSlot,
    private readonly evaluator: AlertEvaluator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.enabled) return;
    await this.environment.apply().catch((error: Error) => this.logger.error(`alerting configuration from the environment not applied: ${error.message}`));
    this.timer = setInterval(() => void this.tick(), this.config.evalIntervalMs).unref();
  }

  /** Stops the timer and lets a tick under way finish, so it doesn't run into closed connections. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One tick, unless the last one is still running; resolves when it is done. */
  tick(): Promise<void> {
    this.running ??= this.evaluateIfChosen().finally(() => (this.running = undefined));
    return this.running;
  }

  private async evaluateIfChosen(): Promise<void> {
    try {
      await this.traffic.record();
      if (await this.slot.claim()) await this.evaluator.evaluate();
    } catch (error) {
      this.logger.error(`alert evaluation failed: ${(error as Error).message}`);
    }
  }
}
