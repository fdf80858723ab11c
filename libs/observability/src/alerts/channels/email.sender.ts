import { Injectable } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { raceAbort } from '@app/core';
import type { EmailChannelConfigDto } from '../dto/channel-configs.dto.js';
import { DeliveryError, type AlertChannelSender, type DeliveryContext } from './alert-channel-sender.js';
import { messageTitle, type AlertMessage } from './alert-message.js';

/** SMTP timeouts for each stage; the attempt's signal bounds the whole send besides. */
const SMTP_TIMEOUT_MS = 10_000;

export function emailText(message: AlertMessage): string {
  return [
    message.summary,
    '',
    `Rule: ${message.ruleName} (${message.ruleKind})`,
    ...(message.subject ? [`Subject: ${message.subject}`] : []),
    `Severity: ${message.severity}`,
    `Value: ${message.value ?? '-'} (threshold ${message.threshold ?? '-'})`,
    `Started: ${message.startedAt}`,
    ...(message.resolvedAt ? [`Resolved: ${message.resolvedAt}`] : []),
    `Source: ${message.source}`,
    `Alert: ${message.alertId}`,
  ].join('\n');
}

/** Email over SMTP with nodemailer: one message to every recipient, a connection per send. */
@Injectable()
export class EmailSender implements AlertChannelSender<EmailChannelConfigDto> {
  readonly kind = 'email';
  readonly secretFields = ['password'] as const;

  async send(message: AlertMessage, config: EmailChannelConfigDto, { signal }: DeliveryContext): Promise<void> {
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port ?? (config.secure ? 465 : 587),
      secure: config.secure ?? false,
      ...(config.username && { auth: { user: config.username, pass: config.password ?? '' } }),
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
    try {
      await raceAbort(transport.sendMail({ from: config.from, to: config.to, subject: messageTitle(message), text: emailText(message) }), signal);
    } catch (error) {
      if (signal.aborted) throw new DeliveryError('timed out');
      const smtp = error as { code?: string; responseCode?: number; message: string };
      // A 5xx SMTP reply refuses the message as such (unknown recipient, relay denied): trying again won't help.
      throw new DeliveryError(smtp.responseCode ? `SMTP ${smtp.responseCode}: ${smtp.message}` : (smtp.code ?? smtp.message), (smtp.responseCode ?? 0) >= 500);
    } finally {
      transport.close();
    }
  }
}
