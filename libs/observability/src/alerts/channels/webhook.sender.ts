import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { WebhookChannelConfigDto } from '../dto/channel-configs.dto.js';
import type { AlertChannelSender, DeliveryContext } from './alert-channel-sender.js';
import type { AlertMessage } from './alert-message.js';
import { postRequest } from './post-request.js';

/** `sha256=<hex>` of the raw body under the channel's secret, as GitHub-style receivers check it. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A generic webhook: the message as JSON, signed with HMAC-SHA256 in X-Signature-256 when the channel has a secret. */
@Injectable()
export class WebhookSender implements AlertChannelSender<WebhookChannelConfigDto> {
  readonly kind = 'webhook';
  readonly secretFields = ['url', 'secret'] as const;

  async send(message: AlertMessage, config: WebhookChannelConfigDto, { signal }: DeliveryContext): Promise<void> {
    const { event, ...alert } = message;
    const body = JSON.stringify({ event, alert });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-alert-event': event };
    if (config.secret) headers['x-signature-256'] = webhookSignature(config.secret, body);
    await postRequest(config.url, { headers, body }, signal);
  }
}
