import { Injectable } from '@nestjs/common';
import type { SlackChannelConfigDto } from '../dto/channel-configs.dto.js';
import type { AlertChannelSender, DeliveryContext } from './alert-channel-sender.js';
import { messageLine, messageTitle, type AlertMessage } from './alert-message.js';
import { postRequest } from './post-request.js';

const EMOJI = { firing: ':rotating_light:', resolved: ':white_check_mark:', test: ':bell:' } as const;

/** Slack incoming webhook: `{text, blocks}`, the text being what notifications and old clients show. */
@Injectable()
export class SlackSender implements AlertChannelSender<SlackChannelConfigDto> {
  readonly kind = 'slack';
  readonly secretFields = ['webhookUrl'] as const;

  async send(message: AlertMessage, config: SlackChannelConfigDto, { signal }: DeliveryContext): Promise<void> {
    await postRequest(config.webhookUrl, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackPayload(message)) }, signal);
  }
}

export function slackPayload(message: AlertMessage) {
  const facts = [`severity *${message.severity}*`, `source \`${message.source}\``, `since ${message.startedAt}`];
  if (message.resolvedAt) facts.push(`resolved ${message.resolvedAt}`);
  return {
    text: `${EMOJI[message.event]} ${messageLine(message)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: messageTitle(message).slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: message.summary.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] },
    ],
  };
}
