import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { LogThrottle } from '../logging/log-throttle.js';
import type { RedisClient } from './redis.service.js';
import { RedisService } from './redis.service.js';

export type ClusterListener<T> = (message: T) => void;

interface Envelope {
  origin: string;
  topic: string;
  message: unknown;
}

/**
 * Fire-and-forget events for every instance of the deployment: a registry change, a session ended elsewhere, a
 * message for whichever instance holds some state. Listeners on this instance hear a publish at once; the other
 * instances hear it through one Redis channel. Without Redis (embedded mode) there are no other instances. With Redis
 * unreachable the others miss the event: publishers must treat delivery as best effort.
 */
@Injectable()
export class ClusterBus implements OnModuleDestroy {
  private readonly logger = new Logger(ClusterBus.name);
  private readonly warnings = new LogThrottle(10_000);
  private readonly listeners = new Map<string, Set<ClusterListener<unknown>>>();
  /** Tells this instance's own messages apart when Redis echoes them back. */
  readonly instanceId = randomUUID();
  private subscriber?: RedisClient;

  constructor(private readonly redis: RedisService) {}

  /** Listens to `topic` until the returned function is called. */
  subscribe<T>(topic: string, listener: ClusterListener<T>): () => void {
    this.ensureSubscribed();
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener as ClusterListener<unknown>);
    return () => void set.delete(listener as ClusterListener<unknown>);
  }

  /** Delivers `message` to this instance's listeners now and to the other instances' through Redis. */
  async publish<T>(topic: string, message: T): Promise<void> {
    this.deliver(topic, message);
    if (!this.redis.configured) return;
    const envelope: Envelope = { origin: this.instanceId, topic, message };
    await this.redis.run((client) => client.publish(this.channel(), JSON.stringify(envelope))).catch((error: Error) => {
      if (this.warnings.allow()) this.logger.warn(`"${topic}" not published to other instances: ${error.message}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.listeners.clear();
  }

  private deliver(topic: string, message: unknown): void {
    for (const listener of this.listeners.get(topic) ?? []) {
      try {
        listener(message);
      } catch (error) {
        this.logger.error(`a "${topic}" listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** One connection and one channel for every topic, opened on the first subscription; node-redis resubscribes after a reconnect. */
  private ensureSubscribed(): void {
    if (this.subscriber || !this.redis.configured) return;
    const subscriber = (this.subscriber = this.redis.connect('bus'));
    const onMessage = (raw: string) => {
      const envelope = JSON.parse(raw) as Envelope;
      if (envelope.origin !== this.instanceId) this.deliver(envelope.topic, envelope.message);
    };
    // Commands fail while disconnected (no offline queue), so the first SUBSCRIBE waits for the connection.
    const subscribe = () => void subscriber.subscribe(this.channel(), onMessage).catch((error: Error) => this.logger.warn(`cluster bus not subscribed: ${error.message}`));
    if (subscriber.isReady) subscribe();
    else subscriber.once('ready', subscribe);
  }

  private channel(): string {
    return this.redis.key('bus');
  }
}
