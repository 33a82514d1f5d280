import { describe, expect, it } from '@jest/globals';
import { NO_FILTER, type SearchRequest } from '../../domain/search-request.js';
import { buildSearchRequest, readPage } from './search-query.js';

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

describe('search query building', () => {
  it('matches every word with typo tolerance, published products only, one hit more than a page', () => {
    const body = buildSearchRequest(request(), noFacets);
    expect(body).toMatchObject({
      size: 3,
      track_total_hits: true,
      _source: false,
      query: {
        bool: {
          must: [{ match: { searchText: { query: 'lamp', fuzziness: 'AUTO', operator: 'and' } } }],
          filter: [{ term: { status: 'PUBLISHED' } }],
        },
      },
      sort: [{ _score: { order: 'desc' } }, { productId: { order: 'asc' } }],
    });
    expect(body.query?.bool?.must_not).toBeUndefined();
    expect(body.aggs).toBeUndefined();
  });

  it('searches a point in time (no index) with the position in it after the sort values, failing on a failed shard', () => {
    const pit = { id: 'cGl0', keepAlive: '5m' };
    const first = buildSearchRequest(request(), noFacets, pit);
    expect(first).toMatchObject({
      pit: { id: 'cGl0', keep_alive: '5m' },
      allow_partial_search_results: false,
    });
    expect(first.search_after).toBeUndefined();
    expect(first.index).toBeUndefined();
    const after = {
      sort: 'RELEVANCE' as const,
      after: [1.5, id(2)] as [number, string],
      view: { id: 'cGl0', position: 9 },
    };
    expect(buildSearchRequest(request({ after }), noFacets, pit).search_after).toEqual([1.5, id(2), 9]);
    // Without a point in time: the sort values alone, as for price and newest.
    const byPrice = { sort: 'PRICE_ASC' as const, after: [900, id(2)] as [number, string] };
    const plain = buildSearchRequest(request({ sort: 'PRICE_ASC', after: byPrice }), noFacets);
    expect(plain.search_after).toEqual([900, id(2)]);
    expect(plain.pit).toBeUndefined();
  });

  it('matches everything for an empty query', () => {
    expect(buildSearchRequest(request({ text: '' }), noFacets).query?.bool?.must).toEqual([
      { match_all: {} },
    ]);
  });

  it('excludes suspended sellers in the query itself, so facets never count them', () => {
    const body = buildSearchRequest(request(), { excludedSellerIds: [id(9)], withFacets: true });
    expect(body.query?.bool?.must_not).toEqual([{ terms: { sellerId: [id(9)] } }]);
  });

  it('orders by price or listing time with the product id as tie-breaker, resuming after a cursor', () => {
    const after = { sort: 'PRICE_DESC' as const, after: [1999, id(1)] as [number, string] };
    expect(buildSearchRequest(request({ sort: 'PRICE_DESC', after }), noFacets)).toMatchObject({
      sort: [{ priceMin: { order: 'desc', missing: -1 } }, { productId: { order: 'asc' } }],
      search_after: [1999, id(1)],
    });
    expect(buildSearchRequest(request({ sort: 'PRICE_ASC' }), noFacets).sort).toEqual([
      { priceMin: { order: 'asc', missing: Number.MAX_SAFE_INTEGER } },
      { productId: { order: 'asc' } },
    ]);
    expect(buildSearchRequest(request({ sort: 'NEWEST' }), noFacets).sort).toEqual([
      { listedAt: { order: 'desc' } },
      { productId: { order: 'asc' } },
    ]);
  });

  const filter = {
    categoryIds: [id(1)],
    sellerIds: [id(2)],
    price: { currency: 'EUR', min: 1000, max: null },
    inStock: true,
    attributes: [{ name: 'colour', values: ['red', 'blue'] }],
  };
  const clauses = {
    category: { terms: { categoryIds: [id(1)] } },
    seller: { terms: { sellerId: [id(2)] } },
    price: { bool: { filter: [{ term: { currency: 'EUR' } }, { range: { prices: { gte: 1000 } } }] } },
    inStock: { term: { inStock: true } },
    colour: {
      nested: {
        path: 'attributes',
        query: {
          bool: {
            filter: [
              { term: { 'attributes.name': 'colour' } },
              { terms: { 'attributes.value': ['red', 'blue'] } },
            ],
          },
        },
      },
    },
  };

  it('puts the filters into the query when no facets are asked for', () => {
    const body = buildSearchRequest(request({ filter }), noFacets);
    expect(body.query?.bool?.filter).toEqual([
      { term: { status: 'PUBLISHED' } },
      clauses.category,
      clauses.seller,
      clauses.price,
      clauses.inStock,
      clauses.colour,
    ]);
    expect(body.post_filter).toBeUndefined();
  });

  it('with facets, filters after aggregating and lets each facet ignore its own filter', () => {
    const body = buildSearchRequest(request({ filter }), { excludedSellerIds: [], withFacets: true });
    expect(body.query?.bool?.filter).toEqual([{ term: { status: 'PUBLISHED' } }]);
    expect(body.post_filter).toEqual({
      bool: { filter: [clauses.category, clauses.seller, clauses.price, clauses.inStock, clauses.colour] },
    });
    const aggs = body.aggs!;
    expect(aggs.categories!.filter).toEqual({
      bool: { filter: [clauses.seller, clauses.price, clauses.inStock, clauses.colour] },
    });
    expect(aggs.prices!.filter).toEqual({
      bool: { filter: [clauses.category, clauses.seller, clauses.inStock, clauses.colour] },
    });
    expect(aggs.prices!.aggs!.currencies!.aggs!.buckets!.range!.ranges).toEqual([
      { from: 0, to: 1000 },
      { from: 1000, to: 2500 },
      { from: 2500, to: 5000 },
      { from: 5000, to: 10000 },
      { from: 10000, to: 25000 },
      { from: 25000, to: 50000 },
      { from: 50000 },
    ]);
    expect(aggs.attributes!.filter).toEqual(body.post_filter);
    expect(aggs.attribute_0!.filter).toEqual({
      bool: { filter: [clauses.category, clauses.seller, clauses.price, clauses.inStock] },
    });
  });
});

describe('search response reading', () => {
  const hit = (n: number, score: number) => ({ _index: 'i', _id: id(n), _score: null, sort: [score, id(n)] });

  it('returns a page, its end cursor and whether more follow', () => {
    const response = {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, failed: 0 },
      hits: { total: { value: 7, relation: 'eq' as const }, hits: [hit(1, 2.5), hit(2, 1.5), hit(3, 0.5)] },
    };
    expect(readPage(request(), response, false)).toEqual({
      total: 7,
      productIds: [id(1), id(2)],
      endCursor: { sort: 'RELEVANCE', after: [1.5, id(2)] },
      hasNextPage: true,
      facets: null,
    });
  });

  it('puts the point in time Elasticsearch answered with and the last hit position into the cursor', () => {
    const inView = (n: number, score: number) => ({ ...hit(n, score), sort: [score, id(n), n + 40] });
    const response = {
      took: 1,
      timed_out: false,
      pit_id: 'bmV3ZXI=',
      _shards: { total: 1, successful: 1, failed: 0 },
      hits: {
        total: { value: 3, relation: 'eq' as const },
        hits: [inView(1, 2.5), inView(2, 1.5), inView(3, 0.5)],
      },
    };
    expect(readPage(request(), response, false).endCursor).toEqual({
      sort: 'RELEVANCE',
      after: [1.5, id(2)],
      view: { id: 'bmV3ZXI=', position: 42 },
    });
  });

  it('reads facets, taking filtered attributes from their own aggregation', () => {
    const response = {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, failed: 0 },
      hits: { total: { value: 1, relation: 'eq' as const }, hits: [hit(1, 1)] },
      aggregations: {
        categories: {
          path: {
            ids: {
              buckets: [
                {
                  key: id(1),
                  doc_count: 3,
                  name: { buckets: [{ key: 'Home', doc_count: 3 }] },
                  slug: { buckets: [{ key: 'home', doc_count: 3 }] },
                  depth: { value: 0 },
                  products: { doc_count: 3 },
                },
              ],
            },
          },
        },
        prices: {
          currencies: {
            buckets: [
              {
                key: 'EUR',
                doc_count: 3,
                buckets: {
                  buckets: [
                    { key: '0.0-1000.0', from: 0, to: 1000, doc_count: 2 },
                    { key: '1000.0-2500.0', from: 1000, to: 2500, doc_count: 0 },
                    { key: '50000.0-*', from: 50000, doc_count: 1 },
                  ],
                },
              },
            ],
          },
        },
        attributes: {
          nested: {
            names: {
              buckets: [
                {
                  key: 'colour',
                  doc_count: 1,
                  values: { buckets: [{ key: 'red', doc_count: 1, products: { doc_count: 1 } }] },
                },
                {
                  key: 'size',
                  doc_count: 2,
                  values: { buckets: [{ key: 'L', doc_count: 2, products: { doc_count: 2 } }] },
                },
              ],
            },
          },
        },
        attribute_0: {
          nested: {
            only: {
              values: {
                buckets: [
                  { key: 'red', doc_count: 1, products: { doc_count: 1 } },
                  { key: 'blue', doc_count: 2, products: { doc_count: 2 } },
                ],
              },
            },
          },
        },
      },
    };
    const page = readPage(
      request({ filter: { ...NO_FILTER, attributes: [{ name: 'colour', values: ['red'] }] } }),
      response as never,
      true,
    );
    expect(page.facets).toEqual({
      categories: [{ id: id(1), name: 'Home', slug: 'home', depth: 0, count: 3 }],
      priceRanges: [
        { currency: 'EUR', from: 0, to: 1000, count: 2 },
        { currency: 'EUR', from: 50000, to: null, count: 1 },
      ],
      attributes: [
        {
          name: 'colour',
          values: [
            { value: 'red', count: 1 },
            { value: 'blue', count: 2 },
          ],
        },
        { name: 'size', values: [{ value: 'L', count: 2 }] },
      ],
    });
  });
});
