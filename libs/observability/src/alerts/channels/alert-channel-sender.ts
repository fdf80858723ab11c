import type { ChannelKind } from '../entities/alert-channel.entity.js';
import type { AlertMessage } from './alert-message.js';

export interface DeliveryContext {
  /** Aborts at the attempt's timeout or at shutdown. */
  signal: AbortSignal;
  /**
   * Parts of this notification already delivered by earlier attempts (an SMS recipient, say), so a retry sends only
   * the rest; a sender with one destination ignores it.
   */
  delivered: Set<string>;
}

/** One kind of channel: how its config is kept (which fields are credentials) and how a message reaches it. */
export interface AlertChannelSender<Config extends object = Record<string, unknown>> {
  readonly kind: ChannelKind;
  /** Config fields that are credentials: sealed at rest, masked when read. */
  readonly secretFields: readonly (keyof Config & string)[];
  /** Resolves once the channel accepted the message; throws a DeliveryError (or any error) otherwise. */
  send(message: AlertMessage, config: Config, context: DeliveryContext): Promise<void>;
}

/** A failed attempt; `permanent` ones (a 4xx refusing the request as such) are not retried. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}
