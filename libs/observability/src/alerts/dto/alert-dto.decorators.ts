import { Matches, ValidateIf } from 'class-validator';
import { ALERT_NAME_PATTERN } from '../entities/alert-channel.entity.js';

/** A property that may be left out but not sent as null (IsOptional lets null through, to a NOT NULL column). */
export const Omittable = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** The name of a channel or rule an admin gives. */
export const IsAlertName = () => Matches(ALERT_NAME_PATTERN, { message: 'name must be 1 to 64 letters, digits, "_" or "-"' });
