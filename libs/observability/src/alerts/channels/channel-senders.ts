import { Injectable } from '@nestjs/common';
import type { ChannelKind } from '../entities/alert-channel.entity.js';
import type { AlertChannelSender } from './alert-channel-sender.js';
import { EmailSender } from './email.sender.js';
import { PagerDutySender } from './pagerduty.sender.js';
import { SlackSender } from './slack.sender.js';
import { SmsSender } from './sms.sender.js';
import { WebhookSender } from './webhook.sender.js';

export const SENDER_CLASSES = [SlackSender, PagerDutySender, WebhookSender, EmailSender, SmsSender];

/** The sender of each channel kind. */
@Injectable()
export class ChannelSenders {
  private readonly byKind: Map<ChannelKind, AlertChannelSender>;

  constructor(slack: SlackSender, pagerduty: PagerDutySender, webhook: WebhookSender, email: EmailSender, sms: SmsSender) {
    const senders = [slack, pagerduty, webhook, email, sms] as unknown as AlertChannelSender[];
    this.byKind = new Map(senders.map((sender) => [sender.kind, sender]));
  }

  for(kind: ChannelKind): AlertChannelSender {
    const sender = this.byKind.get(kind);
    if (!sender) throw new Error(`no sender for channel kind ${kind}`);
    return sender;
  }
}
