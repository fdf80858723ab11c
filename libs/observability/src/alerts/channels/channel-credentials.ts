import { Injectable } from '@nestjs/common';
import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors, isPlainObject, SecretBox, ValidationFailedException } from '@app/core';
import { CHANNEL_CONFIG_DTOS, MASKED } from '../dto/channel-configs.dto.js';
import type { AlertChannel, ChannelKind } from '../entities/alert-channel.entity.js';
import { ChannelSenders } from './channel-senders.js';

/**
 * A channel's config on its way in and out: validated against its kind, credentials sealed for storage, opened for
 * sending, masked for reading. A credential given back as MASKED keeps the stored one.
 */
@Injectable()
export class ChannelCredentials {
  constructor(
    private readonly box: SecretBox,
    private readonly senders: ChannelSenders,
  ) {}

  /** What to store for `given`: checked field by field (errors point under /config), credentials sealed. */
  prepare(kind: ChannelKind, given: unknown, previous?: AlertChannel): Record<string, unknown> {
    if (!isPlainObject(given)) throw new ValidationFailedException([{ pointer: '/config', message: 'config must be an object' }]);
    const secretFields = this.senders.for(kind).secretFields;
    const stored = previous && previous.kind === kind ? this.open(previous) : {};
    const plain: Record<string, unknown> = { ...given };
    for (const field of secretFields) {
      if (plain[field] !== MASKED) continue;
      if (stored[field] === undefined) {
        throw new ValidationFailedException([{ pointer: `/config/${field}`, message: `${field} is the mask but no value is stored: give the value` }]);
      }
      plain[field] = stored[field];
    }
    const config = plainToInstance(CHANNEL_CONFIG_DTOS[kind] as new () => object, plain);
    const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw new ValidationFailedException(flattenValidationErrors(errors, ['config']), `The ${kind} channel config is not valid; see errors.`);
    const clean = Object.fromEntries(Object.entries(instanceToPlain(config)).filter(([, value]) => value !== undefined));
    for (const field of secretFields) if (typeof clean[field] === 'string') clean[field] = this.box.seal(clean[field]);
    return clean;
  }

  /** The config with its credentials in clear, for a sender. */
  open(channel: Pick<AlertChannel, 'kind' | 'config'>): Record<string, unknown> {
    const config = { ...channel.config };
    for (const field of this.senders.for(channel.kind).secretFields) {
      if (typeof config[field] === 'string') config[field] = this.box.open(config[field]);
    }
    return config;
  }

  /** The config as admins read it: every credential replaced by MASKED. */
  mask(channel: Pick<AlertChannel, 'kind' | 'config'>): Record<string, unknown> {
    const config = { ...channel.config };
    for (const field of this.senders.for(channel.kind).secretFields) if (config[field] !== undefined) config[field] = MASKED;
    return config;
  }
}
