import { Injectable } from '@nestjs/common';
import type { PagerDutyChannelConfigDto } from '../dto/channel-configs.dto.js';
import type { AlertChannelSender, DeliveryContext } from './alert-channel-sender.js';
import type { AlertMessage } from './alert-message.js';
import { postRequest } from './post-request.js';

const DEFAULT_URL = 'https://events.pagerduty.com';

/**
 * PagerDuty Events API v2: a firing alert triggers, its resolution resolves, both under the alert's dedup key so
 * PagerDuty keeps one incident. A test triggers and at once resolves, leaving no incident open.
 */
@Injectable()
export class PagerDutySender implements AlertChannelSender<PagerDutyChannelConfigDto> {
  readonly kind = 'pagerduty';
  readonly secretFields = ['routingKey'] as const;

  async send(message: AlertMessage, config: PagerDutyChannelConfigDto, { signal, delivered }: DeliveryContext): Promise<void> {
    const url = `${(config.url ?? DEFAULT_URL).replace(/\/+$/, '')}/v2/enqueue`;
    const actions = message.event === 'firing' ? ['trigger'] : message.event === 'resolved' ? ['resolve'] : ['trigger', 'resolve'];
    for (const action of actions) {
      if (delivered.has(action)) continue;
      const body = JSON.stringify(pagerDutyEvent(message, config.routingKey, action as 'trigger' | 'resolve'));
      await postRequest(url, { headers: { 'content-type': 'application/json' }, body }, signal);
      delivered.add(action);
    }
  }
}

export function pagerDutyEvent(message: AlertMessage, routingKey: string, action: 'trigger' | 'resolve') {
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: message.dedupKey,
    payload: {
      summary: `${message.ruleName}${message.subject ? ` (${message.subject})` : ''}: ${message.summary}`.slice(0, 1024),
      source: message.source,
      severity: message.severity,
      timestamp: message.startedAt,
      component: 'mcp-assistant',
      group: message.ruleKind,
      class: message.ruleName,
      custom_details: { alertId: message.alertId, subject: message.subject, value: message.value, threshold: message.threshold, resolvedAt: message.resolvedAt },
    },
    client: 'MCP Assistant',
  };
}
