import { describe, expect, it } from '@jest/globals';
import { NO_FILTER, type SearchRequest } from '../../domain/search-request.js';
import {
  allowedEdits,
  editDistance,
  filterClauses,
  fuzzyAlternatives,
  pageQuery,
  planSearch,
  sql,
  toTsQuery,
} from './pg-search-query.js';

const id = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const request = (overrides: Partial<SearchRequest> = {}): SearchRequest => ({
  text: 'lamp',
  first: 2,
  sort: 'RELEVANCE',
  after: null,
  filter: NO_FILTER,
  ...overrides,
});
const noFacets = { excludedSellerIds: [], withFacets: false };
const placeholders = (text: string) => (text.match(/\?/g) ?? []).length;

describe('typo tolerance', () => {
  it('allows edits like fuzziness AUTO: none up to two letters, one up to five, two beyond', () => {
    expect(['ab', 'abc', 'abcde', 'abcdef'].map(allowedEdits)).toEqual([0, 1, 1, 2]);
  });

  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('dsek', 'desk', 1)).toBe(1);
    expect(editDistance('auorra', 'aurora', 2)).toBe(1);
    expect(editDistance('cushon', 'cushion', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    // Gives up past the limit.
    expect(editDistance('fxlxmxnt', 'filament', 2)).toBe(3);
  });

  it('keeps the word and the candidate terms within its allowed edits', () => {
    expect(fuzzyAlternatives('lamp', ['lamp', 'lamps', 'limp', 'lambda', 'lump'])).toEqual([
      'lamp',
      'lamps',
      'limp',
      'lump',
    ]);
    expect(fuzzyAlternatives('ox', ['ax', 'ox'])).toEqual(['ox']);
  });

  it('builds a tsquery: every word, any of its alternatives, quotes escaped', () => {
    expect(toTsQuery([['desk', 'dsek'], ["o'neil"], ['a\\b']])).toBe(
      "('desk' | 'dsek') & ('o''neil') & ('a\\\\b')",
    );
  });
});

describe('query building', () => {
  it('inlines fragments and turns every other value into a parameter', () => {
    const inner = sql`x = ${1}`;
    expect(sql`select ${inner} and y = ${'a'}`).toEqual({ sql: 'select x = ? and y = ?', params: [1, 'a'] });
  });

  it('has a clause per filter, keyed as the Elasticsearch adapter keys them', () => {
    const clauses = filterClauses({
      categoryIds: [id(1)],
      sellerIds: [id(2)],
      price: { currency: 'EUR', min: 1000, max: null },
      inStock: true,
      attributes: [{ name: 'colour', values: ['red', 'blue'] }],
    });
    expect([...clauses.keys()]).toEqual(['category', 'seller', 'price', 'inStock', 'attribute:colour']);
    expect(clauses.get('price')!.params).toEqual(['EUR', 1000]);
    // Lists travel as one JSON parameter (em.execute would spread an array).
    expect(clauses.get('attribute:colour')!.params).toEqual(['colour', '["red","blue"]']);
    for (const clause of clauses.values()) expect(placeholders(clause.sql)).toBe(clause.params.length);
  });

  it('resumes after a cursor with the product id as tie-breaker, one row more than a page', () => {
    const after = { sort: 'PRICE_DESC' as const, after: [1999, id(1)] as [number, string] };
    const req = request({ sort: 'PRICE_DESC', after });
    const query = pageQuery(planSearch('products', req, noFacets, "('lamp')"), req);
    expect(query.sql).toContain(
      'h.sort_value < ?::bigint or (h.sort_value = ?::bigint and h.product_id > ?::uuid)',
    );
    expect(query.sql).toContain('order by h.sort_value desc, h.product_id asc');
    expect(query.params.slice(-4)).toEqual([1999, 1999, id(1), 3]);
    expect(placeholders(query.sql)).toBe(query.params.length);
  });

  it('matches everything for an empty text and nothing when no word is left', () => {
    expect(planSearch('products', request({ text: '' }), noFacets, null).base.sql).not.toContain('@@');
    expect(planSearch('products', request({ text: '!!' }), noFacets, '').base.sql).toContain('and false');
  });
});
