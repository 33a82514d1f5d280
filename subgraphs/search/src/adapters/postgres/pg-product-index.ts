import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ok, type Result } from '@marketplace/shared-kernel';
import {
  PRICE_BUCKET_EDGES,
  type SearchFacets,
  type SearchPage,
  type SearchRequest,
} from '../../domain/search-request.js';
import type { CursorPosition } from '../../domain/cursor.js';
import type {
  IndexAdmin,
  ProductSearcher,
  SearchOptions,
  VersionedDocument,
} from '../../application/ports.js';
import {
  FACET_SIZES,
  attributeFacetQuery,
  categoryFacetQuery,
  fuzzyAlternatives,
  pageQuery,
  physicalIndex,
  planSearch,
  priceFacetQuery,
  sql,
  toTsQuery,
  type Fragment,
  type PlannedSearch,
} from './pg-search-query.js';

interface AttributeRow {
  name: string;
  value: string;
  count: number;
  name_count: number;
}

/**
 * Products in search's own Postgres database (`search_document`), searched with built-in full
 * text search: the engine of the embedded profile, behind the same ports as Elasticsearch.
 * Rows are keyed by (index name, product id) and an alias row names the index searches read,
 * so the zero-downtime rebuild works unchanged. A write keeps a row holding the same or a
 * newer version, as Elasticsearch's external versioning does.
 *
 * Bound to an entity manager: given the consumer's transactional one, the document is written
 * in the same transaction as the inbox row and search's state (committed or rolled back with
 * them). A write is visible to searches once its transaction commits; `refresh` has nothing to do.
 */
export class PgProductIndex implements IndexAdmin, ProductSearcher {
  constructor(
    private readonly em: EntityManager,
    readonly alias: string,
  ) {}

  private async rows<T>(query: Fragment): Promise<T[]> {
    return this.em.execute<T[]>(query.sql, query.params);
  }

  async write(targets: readonly string[], documents: readonly VersionedDocument[]): Promise<void> {
    if (targets.length === 0 || documents.length === 0) return;
    // One row per product (the newest): a statement may not upsert the same row twice.
    const newest = new Map<string, VersionedDocument>();
    for (const doc of documents) {
      const seen = newest.get(doc.id);
      if (!seen || seen.version < doc.version) newest.set(doc.id, doc);
    }
    const rows = [...newest.values()].map(({ id, version, document }) => ({
      product_id: id,
      version,
      document,
      seller_id: document.sellerId,
      status: document.status,
      category_ids: document.categoryIds,
      currency: document.currency,
      prices: document.prices,
      price_min: document.priceMin,
      in_stock: document.inStock,
      listed_at: Date.parse(document.listedAt),
    }));
    // Rows are written in key order: concurrent writers lock in the same order and cannot
    // deadlock each other. New words join the typo-tolerance vocabulary.
    await this.rows(sql`
      with target as (
        select distinct coalesce(a.index_name, t.name) as index_name
          from jsonb_array_elements_text(${JSON.stringify(targets)}::jsonb) as t(name)
          left join search_index_alias a on a.alias = t.name
      ), written as (
        insert into search_document
          (index_name, product_id, version, document, seller_id, status, category_ids, currency, prices,
           price_min, in_stock, listed_at)
        select target.index_name, r.product_id, r.version, r.document, r.seller_id, r.status, r.category_ids,
               r.currency, r.prices, r.price_min, r.in_stock, r.listed_at
          from target
         cross join jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
               product_id uuid, version bigint, document jsonb, seller_id uuid, status text, category_ids uuid[],
               currency text, prices bigint[], price_min bigint, in_stock boolean, listed_at bigint)
         order by 1, 2
        on conflict (index_name, product_id) do update
           set version = excluded.version, document = excluded.document, seller_id = excluded.seller_id,
               status = excluded.status, category_ids = excluded.category_ids, currency = excluded.currency,
               prices = excluded.prices, price_min = excluded.price_min, in_stock = excluded.in_stock,
               listed_at = excluded.listed_at, updated_at = now()
         where search_document.version < excluded.version
        returning search_vector
      )
      insert into search_term (term)
      select distinct w.term
        from written cross join lateral unnest(tsvector_to_array(written.search_vector)) as w(term)
       where not exists (select 1 from search_term s where s.term = w.term)`);
  }

  /**
   * A keyset over live values: no view is kept (`ts_rank` reads no corpus statistics, but the
   * typo alternatives of a query word come from the indexed vocabulary, see the README).
   */
  async search(request: SearchRequest, options: SearchOptions): Promise<Result<SearchPage>> {
    const plan = planSearch(this.alias, request, options, await this.tsQuery(request.text));
    const rows = await this.rows<{
      total: number;
      product_id: string | null;
      sort_value: number | string | null;
    }>(pageQuery(plan, request));
    const hits = rows.filter((row) => row.product_id !== null);
    const page = hits.slice(0, request.first);
    const last = page.at(-1);
    const endCursor: CursorPosition | null = last
      ? { sort: request.sort, after: [Number(last.sort_value), last.product_id!] }
      : null;
    return ok({
      total: Number(rows[0]?.total ?? 0),
      productIds: page.map((row) => row.product_id!),
      endCursor,
      hasNextPage: hits.length > request.first,
      facets: options.withFacets ? await this.facets(plan, request) : null,
    });
  }

  /**
   * The words of the text as a tsquery, each word also matching the indexed terms within its
   * allowed typos. Null for an empty text (everything matches); '' when no word is left.
   */
  private async tsQuery(text: string): Promise<string | null> {
    if (text.trim() === '') return null;
    // The same parser as the indexed vectors, so query words and indexed terms compare.
    const [parsed] = await this.rows<{ words: string[] | null }>(
      sql`select tsvector_to_array(to_tsvector('simple'::regconfig, ${text})) as words`,
    );
    const words = parsed?.words ?? [];
    if (words.length === 0) return '';
    const fuzzy = words
      .map((word) => ({ word, length: [...word].length }))
      .filter(({ length }) => length >= 3)
      .map(({ word, length }) => ({ first: [...word][0]!, min: length - 2, max: length + 2 }));
    const candidates =
      fuzzy.length === 0
        ? []
        : (
            await this.rows<{ term: string }>(
              sql`select distinct t.term from search_term t
                    join jsonb_to_recordset(${JSON.stringify(fuzzy)}::jsonb) as w(first text, min int, max int)
                      on left(t.term, 1) = w.first and length(t.term) between w.min and w.max`,
            )
          ).map((row) => row.term);
    return toTsQuery(
      words.map((word) =>
        fuzzyAlternatives(
          word,
          candidates.filter((term) => [...term][0] === [...word][0]),
        ),
      ),
    );
  }

  private async facets(plan: PlannedSearch, request: SearchRequest): Promise<SearchFacets> {
    const categories = await this.rows<{
      id: string;
      name: string;
      slug: string;
      depth: number;
      count: number;
    }>(categoryFacetQuery(plan));
    const prices = await this.rows<{ currency: string; bucket: number | null; count: number }>(
      priceFacetQuery(plan),
    );
    // Currencies by product count, then code (Elasticsearch's terms order); buckets ascending.
    const currencies = prices
      .filter((row) => row.bucket === null)
      .sort((a, b) => b.count - a.count || (a.currency < b.currency ? -1 : 1))
      .slice(0, FACET_SIZES.currencies)
      .map((row) => row.currency);
    const priceRanges = currencies.flatMap((currency) =>
      prices
        .filter((row) => row.currency === currency && row.bucket !== null)
        .sort((a, b) => a.bucket! - b.bucket!)
        .map((row) => ({
          currency,
          from: PRICE_BUCKET_EDGES[row.bucket! - 1]!,
          to: PRICE_BUCKET_EDGES[row.bucket!] ?? null,
          count: Number(row.count),
        })),
    );
    const filtered: SearchFacets['attributes'] = [];
    for (const attribute of request.filter.attributes) {
      const rows = await this.rows<AttributeRow>(attributeFacetQuery(plan, attribute.name));
      filtered.push({
        name: attribute.name,
        values: rows.map((r) => ({ value: r.value, count: Number(r.count) })),
      });
    }
    const filteredNames = new Set(filtered.map((a) => a.name));
    const others = groupAttributes(await this.rows<AttributeRow>(attributeFacetQuery(plan, null)))
      .slice(0, FACET_SIZES.attributeNames)
      .filter((a) => !filteredNames.has(a.name));
    return {
      categories: categories.map((c) => ({ ...c, depth: Number(c.depth), count: Number(c.count) })),
      priceRanges,
      attributes: [...filtered, ...others],
    };
  }

  /** A new, empty index name: rows appear under it as they are written. */
  async createIndex(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '').toLowerCase();
    return `${this.alias}-${stamp}-${randomBytes(3).toString('hex')}`;
  }

  /** Committed rows are visible at once. */
  async refresh(): Promise<void> {}

  async swapAlias(index: string): Promise<string[]> {
    // One statement: searches see the old index or the new one, never neither. (Rebuilds of one
    // alias never race: `search_index_build` lets one run at a time.)
    const [row] = await this.rows<{ previous: string }>(sql`
      with previous as (select ${physicalIndex(this.alias)} as index_name)
      insert into search_index_alias (alias, index_name)
      values (${this.alias}, ${index})
      on conflict (alias) do update set index_name = excluded.index_name
      returning (select index_name from previous) as previous`);
    return row ? [row.previous] : [];
  }

  async deleteIndex(index: string): Promise<void> {
    await this.rows(sql`delete from search_document where index_name = ${index}`);
  }

  /** The index the alias reads (one name, like Elasticsearch's alias outside a swap). */
  async aliasedIndices(): Promise<string[]> {
    const [row] = await this.rows<{ index_name: string }>(
      sql`select ${physicalIndex(this.alias)} as index_name`,
    );
    return row ? [row.index_name] : [];
  }
}

/** Rows of one (name, value) each, ordered by name then count, into facet entries. */
function groupAttributes(rows: readonly AttributeRow[]): SearchFacets['attributes'] {
  const byName = new Map<string, { value: string; count: number }[]>();
  for (const row of rows) {
    const values = byName.get(row.name) ?? [];
    values.push({ value: row.value, count: Number(row.count) });
    byName.set(row.name, values);
  }
  return [...byName].map(([name, values]) => ({ name, values }));
}
