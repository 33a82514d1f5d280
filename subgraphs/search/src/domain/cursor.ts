import { domainError, err, isUuid, ok, type Result } from '@marketplace/shared-kernel';

export const SORTS = ['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST'] as const;
export type SearchSort = (typeof SORTS)[number];

/**
 * Where a page ended: the sort values of its last hit, as Elasticsearch's `search_after` wants
 * them. Every sort is (one number, product id): the number is the score, the lowest price or the
 * listing time in epoch milliseconds, and the product id is the stable tie-breaker.
 */
export interface CursorPosition {
  sort: SearchSort;
  after: [number, string];
}

const CURSOR_VERSION = 1;
const MAX_CURSOR_LENGTH = 512;

export const invalidCursor = () =>
  domainError('SEARCH.INVALID_CURSOR', 'The cursor is not one this search returned', 'after');

/** An opaque cursor: base64url of a small JSON object. Clients must not build or read it. */
export function encodeCursor(position: CursorPosition): string {
  const json = JSON.stringify({ v: CURSOR_VERSION, s: position.sort, a: position.after });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Decodes a cursor and checks it belongs to the same sort; anything else is SEARCH.INVALID_CURSOR. */
export function decodeCursor(cursor: string, sort: SearchSort): Result<CursorPosition> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    return err(invalidCursor());
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return err(invalidCursor());
  }
  if (typeof parsed !== 'object' || parsed === null) return err(invalidCursor());
  const { v, s, a } = parsed as { v?: unknown; s?: unknown; a?: unknown };
  if (v !== CURSOR_VERSION || s !== sort || !Array.isArray(a) || a.length !== 2) return err(invalidCursor());
  const [value, productId] = a as unknown[];
  if (typeof value !== 'number' || !Number.isFinite(value)) return err(invalidCursor());
  if (sort !== 'RELEVANCE' && !Number.isSafeInteger(value)) return err(invalidCursor());
  if (typeof productId !== 'string' || !isUuid(productId)) return err(invalidCursor());
  return ok({ sort, after: [value, productId] });
}
