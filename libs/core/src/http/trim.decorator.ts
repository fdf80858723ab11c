import { Transform } from 'class-transformer';

/** Trims a string property before validation (names, titles, emails as typed); other values pass untouched. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
