import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { alertingConfig } from '@app/core';
import type { AlertChannel } from '../entities/alert-channel.entity.js';
import type { NotificationRecord } from '../entities/alert.entity.js';
import { DeliveryError } from '../channels/alert-channel-sender.js';
import type { AlertMessage } from '../channels/alert-message.js';
import { ChannelCredentials } from '../channels/channel-credentials.js';
import { ChannelSenders } from '../channels/channel-senders.js';
import { AlertHistoryWriter } from './alert-history.writer.js';

export interface AttemptOutcome {
  delivered: boolean;
  error?: string;
  permanent?: boolean;
}

/**
 * Delivers notifications in the background, never on a request's path: each to its channel with a timeout per
 * attempt, retried with exponential backoff (ALERT_DELIVERY_ATTEMPTS, from ALERT_DELIVERY_BACKOFF_MS doubling), each
 * attempt's outcome recorded in the alert's history. A channel that fails or hangs holds up nothing but itself.
 */
@Injectable()
export class NotificationQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(NotificationQueue.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(alertingConfig.KEY) private readonly config: ConfigType<typeof alertingConfig>,
    private readonly senders: ChannelSenders,
    private readonly credentials: ChannelCredentials,
    private readonly history: AlertHistoryWriter,
  ) {}

  /** Queues `message` for `channel` and returns at once. */
  enqueue(message: AlertMessage & { event: 'firing' | 'resolved' }, channel: AlertChannel): void {
    const delivery = this.deliver(message, channel).catch((error: Error) => this.logger.error(`delivery to ${channel.name} failed: ${error.message}`));
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** One attempt, as POST /alerts/channels/{id}/test makes it: no retry, no history. */
  async attempt(message: AlertMessage, channel: Pick<AlertChannel, 'kind' | 'config'>, delivered = new Set<string>()): Promise<AttemptOutcome> {
    try {
      const signal = AbortSignal.timeout(this.config.delivery.timeoutMs);
      await this.senders.for(channel.kind).send(message, this.credentials.open(channel), { signal, delivered });
      return { delivered: true };
    } catch (error) {
      return { delivered: false, error: (error as Error).message || 'failed', permanent: error instanceof DeliveryError && error.permanent };
    }
  }

  /** Resolves once every queued notification is delivered or given up on. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async onApplicationShutdown(): Promise<void> {
    // Attempts under way finish (each within its timeout); retries not yet due are given up.
    this.stopping.abort();
    await this.idle();
    await this.history.flush();
  }

  private async deliver(message: AlertMessage & { event: 'firing' | 'resolved' }, channel: AlertChannel): Promise<void> {
    const record: NotificationRecord = {
      channelId: channel.id,
      channelName: channel.name,
      channelKind: channel.kind,
      event: message.event,
      status: 'pending',
      attempts: 0,
      lastError: null,
      deliveredAt: null,
    };
    void this.history.delivery(message.alertId, { ...record });
    const delivered = new Set<string>();
    const { attempts, backoffMs } = this.config.delivery;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.attempt(message, channel, delivered);
      record.attempts = attempt;
      if (outcome.delivered) {
        Object.assign(record, { status: 'delivered', deliveredAt: new Date().toISOString() });
        break;
      }
      record.lastError = outcome.error ?? 'failed';
      const last = attempt === attempts || outcome.permanent || this.stopping.signal.aborted;
      if (last) {
        record.status = 'failed';
        this.logger.warn(`${message.event} notification of alert ${message.alertId} to ${channel.name} failed after ${attempt} attempt(s): ${record.lastError}`);
        break;
      }
      void this.history.delivery(message.alertId, { ...record });
      if (!(await this.pause(backoffMs * 2 ** (attempt - 1)))) {
        record.status = 'failed';
        record.lastError = `${record.lastError} (shutting down before the next attempt)`;
        break;
      }
    }
    await this.history.delivery(message.alertId, { ...record });
  }

  /** Waits before a retry; false when the app stops meanwhile. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
