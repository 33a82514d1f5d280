import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './cursor.js';

const id = '0190a000-0000-7000-8000-0000000000aa';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('search cursor', () => {
  it('round-trips the sort values of the last hit, opaque and URL-safe', () => {
    for (const position of [
      { sort: 'RELEVANCE' as const, after: [3.1415927, id] as [number, string] },
      { sort: 'PRICE_ASC' as const, after: [Number.MAX_SAFE_INTEGER, id] as [number, string] },
      { sort: 'PRICE_DESC' as const, after: [-1, id] as [number, string] },
      { sort: 'NEWEST' as const, after: [1_795_000_000_000, id] as [number, string] },
    ]) {
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor, position.sort)).toEqual({ ok: true, value: position });
    }
  });

  it('carries the view a relevance cursor pages through', () => {
    const pit = 'iM-bBAERcGl0LXByb2Jl+/LXNwMTU4NTYWbzJSRHUy=';
    const position = {
      sort: 'RELEVANCE' as const,
      after: [0.2876821, id] as [number, string],
      view: { id: pit, position: 7 },
    };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'RELEVANCE')).toEqual({ ok: true, value: position });
  });

  it('refuses a cursor from another sort', () => {
    const cursor = encodeCursor({ sort: 'PRICE_ASC', after: [100, id] });
    expect(decodeCursor(cursor, 'NEWEST')).toMatchObject({
      ok: false,
      error: { code: 'SEARCH.INVALID_CURSOR', field: 'after' },
    });
  });

  it.each([
    ['empty', 'NEWEST', ''],
    ['not base64url', 'NEWEST', 'abc+/='],
    ['not JSON', 'NEWEST', Buffer.from('nope').toString('base64url')],
    ['another version', 'NEWEST', raw({ v: 2, s: 'NEWEST', a: [1, id] })],
    ['a short tuple', 'NEWEST', raw({ v: 1, s: 'NEWEST', a: [1] })],
    ['a non-numeric value', 'NEWEST', raw({ v: 1, s: 'NEWEST', a: ['1', id] })],
    ['a fractional price', 'PRICE_ASC', raw({ v: 1, s: 'PRICE_ASC', a: [1.5, id] })],
    ['a tie-breaker that is no id', 'NEWEST', raw({ v: 1, s: 'NEWEST', a: [1, 'x; drop'] })],
    ['an oversized cursor', 'NEWEST', 'a'.repeat(2_300)],
    ['a view that is no pair', 'RELEVANCE', raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['abc'] })],
    [
      'a view id with other characters',
      'RELEVANCE',
      raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['a b"}', 0] }),
    ],
    ['an empty view id', 'RELEVANCE', raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['', 0] })],
    ['a negative view position', 'RELEVANCE', raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['abc=', -1] })],
    ['a fractional view position', 'RELEVANCE', raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['abc=', 1.5] })],
    [
      'an oversized view id',
      'RELEVANCE',
      raw({ v: 1, s: 'RELEVANCE', a: [1, id], p: ['a'.repeat(1_501), 0] }),
    ],
  ] as const)('refuses %s', (_case, sort, cursor) => {
    expect(decodeCursor(cursor, sort)).toMatchObject({ ok: false, error: { code: 'SEARCH.INVALID_CURSOR' } });
  });
});
