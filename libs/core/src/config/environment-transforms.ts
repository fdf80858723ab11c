import { IsOptional, Matches } from 'class-validator';

/** How environment variables turn into typed values before validation; shared by every group of settings. */

export const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean' || value === undefined) return value;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off', ''].includes(text)) return false;
  return value;
};

export const toInteger = ({ value }: { value: unknown }) => {
  if (value === undefined || typeof value === 'number') return value;
  const text = String(value).trim();
  return /^-?\d+$/.test(text) ? Number(text) : value;
};

export const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((entry) => entry.trim()).filter(Boolean) : value;

/** An optional variable that must be an http(s):// URL when set. */
export const OptionalHttpUrl = (): PropertyDecorator => (target, key) => {
  IsOptional()(target, key);
  Matches(/^https?:\/\/\S+$/, { message: `${String(key)} must be an http(s):// URL` })(target, key);
};

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Accepts plain bytes (`1048576`) or a size with a unit (`512kb`, `1mb`). */
export const toBytes = ({ value }: { value: unknown }) => {
  if (value === undefined || typeof value === 'number') return value;
  const match = /^\s*(\d+)\s*(b|kb|mb|gb)?\s*$/i.exec(String(value));
  return match ? Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()] : value;
};
