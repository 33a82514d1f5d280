import { describe, expect, it } from '@jest/globals';
import { encodeCursor } from './cursor.js';
import { NO_FILTER, searchRequest } from './search-request.js';

const category = '0190a000-0000-7000-8000-000000000001';
const seller = '0190a000-0000-7000-8000-0000000000bb';

describe('search request', () => {
  it('defaults to relevance, no cursor and no filter', () => {
    expect(searchRequest({ text: '  lamp ', first: 10 })).toEqual({
      ok: true,
      value: { text: 'lamp', first: 10, sort: 'RELEVANCE', after: null, filter: NO_FILTER },
    });
  });

  it('normalises filters: lower-case ids without duplicates, merged attribute values', () => {
    const result = searchRequest({
      text: '',
      first: 5,
      sort: 'PRICE_ASC',
      after: encodeCursor({ sort: 'PRICE_ASC', after: [100, category] }),
      filter: {
        categoryIds: [category.toUpperCase(), category],
        sellerIds: [seller],
        price: { currency: 'EUR', min: 100, max: 5000 },
        inStock: true,
        attributes: [
          { name: ' colour ', values: ['red'] },
          { name: 'colour', values: ['blue', 'red'] },
        ],
      },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        text: '',
        first: 5,
        sort: 'PRICE_ASC',
        after: { sort: 'PRICE_ASC', after: [100, category] },
        filter: {
          categoryIds: [category],
          sellerIds: [seller],
          price: { currency: 'EUR', min: 100, max: 5000 },
          inStock: true,
          attributes: [{ name: 'colour', values: ['red', 'blue'] }],
        },
      },
    });
  });

  it.each([
    ['an oversize query', { text: 'x'.repeat(201), first: 10 }, 'VALIDATION.TOO_LONG', 'query'],
    ['first of zero', { text: 'lamp', first: 0 }, 'VALIDATION.OUT_OF_RANGE', 'first'],
    ['first above 50', { text: 'lamp', first: 500 }, 'VALIDATION.OUT_OF_RANGE', 'first'],
    ['an unknown sort', { text: '', first: 1, sort: 'CHEAPEST' }, 'VALIDATION.UNKNOWN_VALUE', 'sort'],
    ['a forged cursor', { text: '', first: 1, after: 'bm9wZQ' }, 'SEARCH.INVALID_CURSOR', 'after'],
    [
      'a malformed category id',
      { text: '', first: 1, filter: { categoryIds: ['42'] } },
      'VALIDATION.MALFORMED_ID',
      'filter.categoryIds',
    ],
    [
      'too many sellers',
      { text: '', first: 1, filter: { sellerIds: Array.from({ length: 21 }, () => seller) } },
      'VALIDATION.TOO_MANY',
      'filter.sellerIds',
    ],
    [
      'an unknown currency',
      { text: '', first: 1, filter: { price: { currency: 'XXQ', min: 1 } } },
      'MONEY.UNKNOWN_CURRENCY',
      'filter.price.currency',
    ],
    [
      'a negative bound',
      { text: '', first: 1, filter: { price: { currency: 'EUR', min: -1 } } },
      'VALIDATION.OUT_OF_RANGE',
      'filter.price.min',
    ],
    [
      'a fractional bound',
      { text: '', first: 1, filter: { price: { currency: 'EUR', max: 9.99 } } },
      'VALIDATION.NOT_INTEGER',
      'filter.price.max',
    ],
    [
      'min above max',
      { text: '', first: 1, filter: { price: { currency: 'EUR', min: 500, max: 100 } } },
      'VALIDATION.OUT_OF_RANGE',
      'filter.price.min',
    ],
    [
      'an attribute without values',
      { text: '', first: 1, filter: { attributes: [{ name: 'colour', values: [] }] } },
      'VALIDATION.OUT_OF_RANGE',
      'filter.attributes.values',
    ],
    [
      'an empty attribute name',
      { text: '', first: 1, filter: { attributes: [{ name: ' ', values: ['red'] }] } },
      'VALIDATION.TOO_SHORT',
      'filter.attributes.name',
    ],
  ])('rejects %s with a stable code', (_case, input, code, field) => {
    expect(searchRequest(input)).toMatchObject({ ok: false, error: { code, field } });
  });
});
