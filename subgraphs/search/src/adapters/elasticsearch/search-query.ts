import type { estypes } from '@elastic/elasticsearch';
import { SEARCHABLE_STATUS } from '../../domain/product-document.js';
import type { CursorPosition, SearchSort } from '../../domain/cursor.js';
import {
  PRICE_BUCKET_EDGES,
  type SearchFacets,
  type SearchFilter,
  type SearchPage,
  type SearchRequest,
} from '../../domain/search-request.js';
import type { SearchOptions } from '../../application/ports.js';

type Query = estypes.QueryDslQueryContainer;

const FACET_SIZES = { categories: 100, currencies: 10, attributeNames: 30, attributeValues: 50 } as const;

/** Sorts are (one value, product id): the id is a stable tie-breaker, so pages never overlap. */
const SORT_CLAUSES: Record<SearchSort, estypes.SortCombinations[]> = {
  RELEVANCE: [{ _score: { order: 'desc' } }, { productId: { order: 'asc' } }],
  // Explicit `missing` values keep sort values within JavaScript's safe integers (the
  // defaults are Long.MAX/MIN_VALUE, which would not survive a round trip through a cursor).
  PRICE_ASC: [
    { priceMin: { order: 'asc', missing: Number.MAX_SAFE_INTEGER } },
    { productId: { order: 'asc' } },
  ],
  PRICE_DESC: [{ priceMin: { order: 'desc', missing: -1 } }, { productId: { order: 'asc' } }],
  NEWEST: [{ listedAt: { order: 'desc' } }, { productId: { order: 'asc' } }],
};

/** The user's filters by key, so each facet can leave out its own (disjunctive facets). */
export function filterClauses(filter: SearchFilter): Map<string, Query> {
  const clauses = new Map<string, Query>();
  if (filter.categoryIds.length > 0) clauses.set('category', { terms: { categoryIds: filter.categoryIds } });
  if (filter.sellerIds.length > 0) clauses.set('seller', { terms: { sellerId: filter.sellerIds } });
  if (filter.price) {
    const { currency, min, max } = filter.price;
    const range: estypes.QueryDslNumberRangeQuery = {};
    if (min !== null) range.gte = min;
    if (max !== null) range.lte = max;
    clauses.set('price', {
      bool: {
        filter: [
          { term: { currency } },
          ...(min !== null || max !== null ? [{ range: { prices: range } }] : []),
        ],
      },
    });
  }
  if (filter.inStock !== null) clauses.set('inStock', { term: { inStock: filter.inStock } });
  for (const attribute of filter.attributes) {
    clauses.set(`attribute:${attribute.name}`, {
      nested: {
        path: 'attributes',
        query: {
          bool: {
            filter: [
              { term: { 'attributes.name': attribute.name } },
              { terms: { 'attributes.value': attribute.values } },
            ],
          },
        },
      },
    });
  }
  return clauses;
}

const all = (clauses: Iterable<Query>): Query => {
  const list = [...clauses];
  return list.length === 0 ? { match_all: {} } : { bool: { filter: list } };
};

const except = (clauses: Map<string, Query>, ...keys: string[]): Query =>
  all([...clauses].filter(([key]) => !keys.includes(key)).map(([, clause]) => clause));

function textQuery(text: string): Pick<estypes.QueryDslBoolQuery, 'must' | 'should'> {
  if (!text) return { must: [{ match_all: {} }] };
  return {
    // Every word must match somewhere (name, description, attribute values, variant names),
    // each allowing typos; words in the name score higher, the exact phrase higher still.
    must: [{ match: { searchText: { query: text, fuzziness: 'AUTO', operator: 'and', prefix_length: 1 } } }],
    should: [
      { match: { name: { query: text, fuzziness: 'AUTO', prefix_length: 1, boost: 3 } } },
      { match_phrase: { name: { query: text, boost: 2 } } },
    ],
  };
}

function facetAggregations(request: SearchRequest, clauses: Map<string, Query>) {
  const valueCounts = {
    terms: { field: 'attributes.value', size: FACET_SIZES.attributeValues },
    aggs: { products: { reverse_nested: {} } },
  };
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {
    categories: {
      filter: except(clauses, 'category'),
      aggs: {
        path: {
          nested: { path: 'categories' },
          aggs: {
            ids: {
              terms: { field: 'categories.id', size: FACET_SIZES.categories },
              aggs: {
                name: { terms: { field: 'categories.name', size: 1 } },
                slug: { terms: { field: 'categories.slug', size: 1 } },
                depth: { min: { field: 'categories.depth' } },
                products: { reverse_nested: {} },
              },
            },
          },
        },
      },
    },
    prices: {
      filter: except(clauses, 'price'),
      aggs: {
        currencies: {
          terms: { field: 'currency', size: FACET_SIZES.currencies },
          aggs: {
            buckets: {
              range: {
                field: 'prices',
                ranges: PRICE_BUCKET_EDGES.map((from, i) => {
                  const to = PRICE_BUCKET_EDGES[i + 1];
                  return to === undefined ? { from } : { from, to };
                }),
              },
            },
          },
        },
      },
    },
    // Attributes nobody filters on: counted under every filter.
    attributes: {
      filter: all(clauses.values()),
      aggs: {
        nested: {
          nested: { path: 'attributes' },
          aggs: {
            names: {
              terms: { field: 'attributes.name', size: FACET_SIZES.attributeNames },
              aggs: { values: valueCounts },
            },
          },
        },
      },
    },
  };
  // An attribute being filtered on: counted under every filter but its own, so the other
  // values of that attribute stay visible with the counts they would give.
  request.filter.attributes.forEach((attribute, i) => {
    aggs[`attribute_${i}`] = {
      filter: except(clauses, `attribute:${attribute.name}`),
      aggs: {
        nested: {
          nested: { path: 'attributes' },
          aggs: {
            only: { filter: { term: { 'attributes.name': attribute.name } }, aggs: { values: valueCounts } },
          },
        },
      },
    };
  });
  return aggs;
}

/** A point in time to search in, kept alive for `keepAlive` after this request. */
export interface PointInTime {
  id: string;
  keepAlive: string;
}

/**
 * The Elasticsearch request for a search. Visibility (published, seller not suspended) is part
 * of the query, so facets never count hidden products. Without facets the user's filters join
 * the query; with facets they become the post filter, and each facet aggregation applies all
 * filters but its own.
 *
 * In a point in time (RELEVANCE) Elasticsearch adds its own tie-breaker, `_shard_doc`, after
 * the sort: `search_after` then carries the hit's position in that view as a third value. A
 * failed shard fails the request instead of answering a page with its hits missing.
 */
export function buildSearchRequest(
  request: SearchRequest,
  options: SearchOptions,
  pit: PointInTime | null = null,
): estypes.SearchRequest {
  const clauses = filterClauses(request.filter);
  const visibility: Query[] = [{ term: { status: SEARCHABLE_STATUS } }];
  const query: Query = {
    bool: {
      ...textQuery(request.text),
      filter: options.withFacets ? visibility : [...visibility, ...clauses.values()],
      ...(options.excludedSellerIds.length > 0
        ? { must_not: [{ terms: { sellerId: [...options.excludedSellerIds] } }] }
        : {}),
    },
  };
  return {
    size: request.first + 1,
    track_total_hits: true,
    _source: false,
    query,
    sort: SORT_CLAUSES[request.sort],
    ...(pit ? { pit: { id: pit.id, keep_alive: pit.keepAlive }, allow_partial_search_results: false } : {}),
    ...searchAfter(request, pit),
    ...(options.withFacets && clauses.size > 0 ? { post_filter: all(clauses.values()) } : {}),
    ...(options.withFacets ? { aggs: facetAggregations(request, clauses) } : {}),
  };
}

function searchAfter(request: SearchRequest, pit: PointInTime | null): Partial<estypes.SearchRequest> {
  const after = request.after;
  if (!after) return {};
  if (pit && after.view) return { search_after: [...after.after, after.view.position] };
  return { search_after: after.after };
}

interface Bucket {
  key: string | number;
  doc_count: number;
  [sub: string]: unknown;
}
type Agg = { buckets?: Bucket[]; doc_count?: number; value?: number | null; [sub: string]: unknown };

const sub = (agg: unknown, ...path: string[]): Agg =>
  path.reduce<Agg>((node, key) => (node?.[key] ?? {}) as Agg, (agg ?? {}) as Agg);
const buckets = (agg: unknown, ...path: string[]): Bucket[] => sub(agg, ...path).buckets ?? [];
const products = (bucket: Bucket): number => sub(bucket, 'products').doc_count ?? bucket.doc_count;

function valueCounts(agg: unknown): { value: string; count: number }[] {
  return buckets(agg, 'values').map((b) => ({ value: String(b.key), count: products(b) }));
}

export function readFacets(request: SearchRequest, aggregations: Record<string, unknown>): SearchFacets {
  const categories = buckets(aggregations.categories, 'path', 'ids').map((b) => ({
    id: String(b.key),
    name: String(buckets(b, 'name')[0]?.key ?? ''),
    slug: String(buckets(b, 'slug')[0]?.key ?? ''),
    depth: Number(sub(b, 'depth').value ?? 0),
    count: products(b),
  }));
  const priceRanges = buckets(aggregations.prices, 'currencies').flatMap((currency) =>
    buckets(currency, 'buckets')
      .filter((range) => range.doc_count > 0)
      .map((range) => ({
        currency: String(currency.key),
        from: Number((range as { from?: number }).from ?? 0),
        to: (range as { to?: number }).to ?? null,
        count: range.doc_count,
      })),
  );
  const filtered = request.filter.attributes.map((attribute, i) => ({
    name: attribute.name,
    values: valueCounts(sub(aggregations[`attribute_${i}`], 'nested', 'only')),
  }));
  const filteredNames = new Set(filtered.map((a) => a.name));
  const others = buckets(aggregations.attributes, 'nested', 'names')
    .filter((b) => !filteredNames.has(String(b.key)))
    .map((b) => ({ name: String(b.key), values: valueCounts(b) }));
  return { categories, priceRanges, attributes: [...filtered, ...others] };
}

/**
 * Turns the response into a page: one hit more than asked tells whether another page exists.
 * In a point in time the cursor carries the id Elasticsearch answered with (it may change
 * between requests) and the last hit's `_shard_doc`.
 */
export function readPage(
  request: SearchRequest,
  response: estypes.SearchResponse<unknown, Record<string, estypes.AggregationsAggregate>>,
  withFacets: boolean,
): SearchPage {
  const hits = response.hits.hits;
  const page = hits.slice(0, request.first);
  const last = page.at(-1);
  const total = response.hits.total;
  const sort = last?.sort ?? [];
  const view =
    response.pit_id && sort.length === 3 ? { view: { id: response.pit_id, position: Number(sort[2]) } } : {};
  const endCursor: CursorPosition | null =
    sort.length === 2 || (sort.length === 3 && response.pit_id)
      ? { sort: request.sort, after: [Number(sort[0]), String(sort[1])], ...view }
      : null;
  return {
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    productIds: page.map((hit) => hit._id!).filter(Boolean),
    endCursor,
    hasNextPage: hits.length > request.first,
    facets: withFacets ? readFacets(request, (response.aggregations ?? {}) as Record<string, unknown>) : null,
  };
}
