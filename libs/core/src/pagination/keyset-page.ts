import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainException } from '../errors/domain.exception.js';

export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

interface CursorPosition {
  /** created_at at full (microsecond) precision, as Postgres prints it in UTC. */
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** 400 for a cursor this API did not hand out: every list endpoint answers the same. */
export function invalidCursor(): DomainException {
  return new DomainException({
    status: 400,
    code: 'INVALID_CURSOR',
    title: 'Invalid cursor',
    detail: 'cursor is not one this API returned; pass the nextCursor of the previous page, or omit it for the first page.',
  });
}

function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && TIMESTAMP.test(at) && typeof id === 'string' && UUID.test(id)) return { at, id };
  } catch {
    // falls through to the problem below
  }
  throw invalidCursor();
}

/**
 * Newest first, keyed on (created_at, id): rows inserted while a client pages through never shift, repeat or hide
 * the rows it has yet to see. The cursor keeps created_at at the database's microsecond precision, which a JS Date
 * would round away.
 */
export async function keysetPage<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  options: PageRequest,
): Promise<Page<T>> {
  const alias = query.alias;
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  if (options.cursor) {
    const position = decodeCursor(options.cursor);
    query.andWhere(`(${alias}.created_at, ${alias}.id) < (CAST(:cursorAt AS timestamptz), CAST(:cursorId AS uuid))`, {
      cursorAt: position.at,
      cursorId: position.id,
    });
  }
  query
    .addSelect(`to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'page_cursor_at')
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit + 1);
  const { entities, raw } = await query.getRawAndEntities();
  const hasMore = entities.length > limit;
  const items = entities.slice(0, limit);
  const last = items.at(-1);
  const lastRaw = raw[items.length - 1] as { page_cursor_at: string } | undefined;
  return {
    items,
    nextCursor: hasMore && last && lastRaw ? encodeCursor({ at: lastRaw.page_cursor_at, id: last.id as string }) : null,
  };
}

/** A LIKE pattern matching `text` anywhere, lower-cased, with LIKE's own wildcards in it taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The same page with each item turned into its response DTO. */
export function mapPage<T, U>(page: Page<T>, toDto: (item: T) => U): Page<U> {
  return { items: page.items.map((item) => toDto(item)), nextCursor: page.nextCursor };
}
