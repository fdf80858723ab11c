import { Injectable } from '@nestjs/common';
import type { SmsChannelConfigDto } from '../dto/channel-configs.dto.js';
import type { AlertChannelSender, DeliveryContext } from './alert-channel-sender.js';
import { messageLine, type AlertMessage } from './alert-message.js';
import { postRequest } from './post-request.js';

const DEFAULT_BASE_URL = 'https://api.twilio.com';
/** Two SMS segments: enough for the title and the gist. */
const MAX_BODY = 320;

/** SMS through Twilio's Messages API (or a compatible one): one form-encoded POST per recipient, basic auth. */
@Injectable()
export class SmsSender implements AlertChannelSender<SmsChannelConfigDto> {
  readonly kind = 'sms';
  readonly secretFields = ['authToken'] as const;

  async send(message: AlertMessage, config: SmsChannelConfigDto, { signal, delivered }: DeliveryContext): Promise<void> {
    const url = `${(config.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
    const text = messageLine(message);
    const body = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
    // Recipients already texted by an earlier attempt are not texted again.
    for (const to of config.to) {
      if (delivered.has(to)) continue;
      const form = new URLSearchParams({ To: to, From: config.from, Body: body }).toString();
      await postRequest(url, { headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: form }, signal);
      delivered.add(to);
    }
  }
}
