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
  /**
   * The frozen view of the index the first page was read from, when the engine pages through
   * one: a score only compares with scores of the same view (Elasticsearch's depend on
   * index-wide statistics that every indexed document changes). `id` and `position` (the hit's
   * place in that view, the engine's own tie-breaker) mean something to the engine only.
   */
  view?: CursorView;
}

export interface CursorView {
  id: string;
  position: number;
}

const CURSOR_VERSION = 1;
const MAX_VIEW_ID_LENGTH = 1_500;
const MAX_CURSOR_LENGTH = 2_200;

export const invalidCursor = () =>
  domainError('SEARCH.INVALID_CURSOR', 'The cursor is not one this search returned', 'after');

/** The view a cursor pages through is gone (kept for a bounded time, or the index was rebuilt). */
export const expiredCursor = () =>
  domainError(
    'SEARCH.CURSOR_EXPIRED',
    'The results this cursor pages through have expired; search again without a cursor',
    'after',
  );

/** An opaque cursor: base64url of a small JSON object. Clients must not build or read it. */
export function encodeCursor(position: CursorPosition): string {
  const view = position.view ? { p: [position.view.id, position.view.position] } : {};
  const json = JSON.stringify({ v: CURSOR_VERSION, s: position.sort, a: position.after, ...view });
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
  const { v, s, a, p } = parsed as { v?: unknown; s?: unknown; a?: unknown; p?: unknown };
  if (v !== CURSOR_VERSION || s !== sort || !Array.isArray(a) || a.length !== 2) return err(invalidCursor());
  const [value, productId] = a as unknown[];
  if (typeof value !== 'number' || !Number.isFinite(value)) return err(invalidCursor());
  if (sort !== 'RELEVANCE' && !Number.isSafeInteger(value)) return err(invalidCursor());
  if (typeof productId !== 'string' || !isUuid(productId)) return err(invalidCursor());
  if (p === undefined) return ok({ sort, after: [value, productId] });
  const view = decodeView(p);
  if (!view) return err(invalidCursor());
  return ok({ sort, after: [value, productId], view });
}

function decodeView(p: unknown): CursorView | null {
  if (!Array.isArray(p) || p.length !== 2) return null;
  const [id, position] = p as unknown[];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_VIEW_ID_LENGTH) return null;
  // Elasticsearch point-in-time ids are base64 (either alphabet, padded).
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(id)) return null;
  if (!Number.isSafeInteger(position) || (position as number) < 0) return null;
  return { id, position: position as number };
}
