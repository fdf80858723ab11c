import { QueryFailedError } from 'typeorm';

/** A write lost to a unique constraint (Postgres and PGlite both say 23505): callers turn it into a 409. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}
