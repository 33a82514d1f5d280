import { randomBytes } from 'node:crypto';
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import { err, ok, type Result } from '@marketplace/shared-kernel';
import type { SearchPage, SearchRequest } from '../../domain/search-request.js';
import { expiredCursor, invalidCursor } from '../../domain/cursor.js';
import {
  IndexUnavailableError,
  type IndexAdmin,
  type ProductSearcher,
  type SearchOptions,
  type VersionedDocument,
} from '../../application/ports.js';
import { buildSearchRequest, readPage, type PointInTime } from './search-query.js';

/** A client reading relevance pages has this long between two pages (see `search`). */
export const CURSOR_KEEP_ALIVE = '2m';

/** Bumped whenever the mapping changes incompatibly; kept in the index's `_meta`. */
export const MAPPING_VERSION = 2;

const keyword = { type: 'keyword' as const };
// The integ-test distribution has no analysis-common module: the standard analyzer it is.
const text = { type: 'text' as const, copy_to: 'searchText' };

export const MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  _meta: { mappingVersion: MAPPING_VERSION },
  properties: {
    productId: keyword,
    sellerId: keyword,
    status: keyword,
    name: { ...text, fields: { raw: { type: 'keyword', ignore_above: 256 } } },
    slug: keyword,
    description: text,
    attributeText: text,
    variantNames: text,
    searchText: { type: 'text' },
    skus: keyword,
    categoryId: keyword,
    categoryIds: keyword,
    categories: {
      type: 'nested',
      properties: { id: keyword, name: keyword, slug: keyword, depth: { type: 'integer' } },
    },
    attributes: { type: 'nested', properties: { name: keyword, value: keyword } },
    currency: keyword,
    prices: { type: 'long' },
    priceMin: { type: 'long' },
    priceMax: { type: 'long' },
    inStock: { type: 'boolean' },
    createdAt: { type: 'date' },
    publishedAt: { type: 'date' },
    listedAt: { type: 'date' },
    productVersion: { type: 'long' },
  },
};

const SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  number_of_replicas: 0,
  // Near-real-time: a write is searchable within this interval (the freshness budget).
  refresh_interval: '200ms',
};

const isResponseError = (error: unknown, type: string): boolean =>
  error instanceof errors.ResponseError && error.body?.error?.type === type;

/** Statuses that say "not now" (overloaded, starting, shards unassigned), not "not this document". */
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether a status (with its error type) means "try the same request later". A 429 from the
 * circuit breaker is excluded: the request itself is too big for the node's memory and would
 * trip it again, so the consumer would wait for ever; it goes to retries and the DLT instead.
 */
const isUnavailableStatus = (status: number | undefined, type: string | undefined): boolean =>
  UNAVAILABLE_STATUSES.has(status ?? 0) && !(status === 429 && type === 'circuit_breaking_exception');

/**
 * Whether a client error means Elasticsearch could not take the request at all right now:
 * connection refused or reset, timeouts, no living node, 502/503/504 and 429 (see above).
 * Misconfiguration that never clears by itself (TLS/certificate failures) is not included, so
 * the consumer dead-letters rather than waiting for ever.
 */
function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.ConnectionError) return !/certificate|ssl|tls|self.signed/i.test(error.message);
  return (
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.TimeoutError ||
    (error instanceof errors.ResponseError &&
      isUnavailableStatus(error.statusCode, error.body?.error?.type as string | undefined))
  );
}

/**
 * Products in Elasticsearch behind an alias (`<alias>` -> `<alias>-<stamp>`): searches and
 * live writes address the alias; a rebuild fills a new physical index and swaps the alias.
 * Every write uses external versioning, so the highest version wins whatever the arrival order.
 */
export class ProductIndex implements IndexAdmin, ProductSearcher {
  constructor(
    readonly client: Client,
    readonly alias: string,
    /** How long a RELEVANCE cursor's point in time outlives the page that returned it. */
    readonly cursorKeepAlive: string = CURSOR_KEEP_ALIVE,
    /** Told when a first page could not open a point in time and pages on live scores instead. */
    private readonly onViewRefused: (error: unknown) => void = () => undefined,
  ) {}

  static connect(node: string, alias: string, onViewRefused?: (error: unknown) => void): ProductIndex {
    return new ProductIndex(
      new Client({ node, requestTimeout: 30_000 }),
      alias,
      CURSOR_KEEP_ALIVE,
      onViewRefused,
    );
  }

  /**
   * Makes sure the alias points at an index with the current mapping. A first start creates
   * it; an alias left on an older mapping is moved to a new empty index (run the rebuild
   * command to fill it from the products subgraph).
   */
  async ensure(): Promise<{ created: boolean; replaced: string[] }> {
    const current = await this.aliasedIndices();
    if (current.length > 0) {
      const mappings = await this.client.indices.getMapping({ index: current });
      const outdated = current.filter(
        (name) => mappings[name]?.mappings._meta?.mappingVersion !== MAPPING_VERSION,
      );
      if (outdated.length === 0) return { created: false, replaced: [] };
    }
    const index = `${this.alias}-m${MAPPING_VERSION}`;
    try {
      await this.client.indices.create({ index, settings: SETTINGS, mappings: MAPPINGS });
    } catch (error) {
      // Another instance created it first.
      if (!isResponseError(error, 'resource_already_exists_exception')) throw error;
    }
    const replaced = (await this.swapAlias(index)).filter((name) => name !== index);
    for (const old of replaced) await this.deleteIndex(old);
    return { created: true, replaced };
  }

  async createIndex(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '').toLowerCase();
    const index = `${this.alias}-${stamp}-${randomBytes(3).toString('hex')}`;
    await this.client.indices.create({ index, settings: SETTINGS, mappings: MAPPINGS });
    return index;
  }

  async write(targets: readonly string[], documents: readonly VersionedDocument[]): Promise<void> {
    if (targets.length === 0 || documents.length === 0) return;
    const operations = targets.flatMap((index) =>
      documents.flatMap((doc) => [
        { index: { _index: index, _id: doc.id, version: doc.version, version_type: 'external' as const } },
        doc.document,
      ]),
    );
    let response: estypes.BulkResponse;
    try {
      response = await this.client.bulk({ operations });
    } catch (error) {
      if (isUnavailable(error))
        throw new IndexUnavailableError(`Elasticsearch unavailable: ${(error as Error).message}`, {
          cause: error,
        });
      throw error;
    }
    if (!response.errors) return;
    // A target already holding the same or a newer version keeps it: that is the point.
    const failures = response.items
      .map((item) => item.index)
      .filter((result) => result?.error && result.status !== 409);
    if (failures.length > 0) {
      const first = failures[0]!;
      if (failures.every((f) => isUnavailableStatus(f?.status, f?.error?.type)))
        throw new IndexUnavailableError(
          `Elasticsearch could not take ${failures.length} write(s) now; first: ${first.error?.type}`,
        );
      throw new Error(
        `Elasticsearch refused ${failures.length} write(s); first: ${first._index}/${first._id}: ` +
          `${first.error?.type}: ${first.error?.reason ?? ''}`,
      );
    }
  }

  /**
   * Price and newest sort on values of the documents: a keyset over them stays in place
   * whatever else is indexed. Scores do not: BM25 reads index-wide statistics (document count,
   * field lengths, term frequencies, deleted documents until merged), so every refresh after a
   * write — any product's — shifts every score, and a `search_after` score from the previous
   * page then skips or repeats products. RELEVANCE therefore pages through a point in time
   * opened for the first page (the same segments, statistics and scores for every page),
   * carried in the cursor and kept alive for `cursorKeepAlive` after each page. A point in
   * time that expired, was closed or belonged to an index a rebuild deleted answers
   * `SEARCH.CURSOR_EXPIRED`: the client searches again from the first page. Without words
   * every hit scores the same constant (browsing a category), so no view is needed.
   */
  async search(request: SearchRequest, options: SearchOptions): Promise<Result<SearchPage>> {
    if (request.sort !== 'RELEVANCE' || request.text === '') return this.searchLive(request, options);
    // A relevance cursor without a view pages on live scores, as every cursor did before points
    // in time: one issued before them, or by a first page that could not open one (below).
    if (request.after && !request.after.view) return this.searchLive(request, options);
    let opened: string | null = null;
    if (!request.after) {
      try {
        opened = (await this.client.openPointInTime({ index: this.alias, keep_alive: this.cursorKeepAlive }))
          .id;
      } catch (error) {
        // Elasticsearch keeps a bounded number of points in time (`search.max_open_pit_context`,
        // 300 per node by default): past it, or with the call failing otherwise, a search still
        // answers, on live scores, rather than failing for paging it may never need.
        this.onViewRefused(error);
        return this.searchLive(request, options);
      }
    }
    const pit: PointInTime = { id: opened ?? request.after!.view!.id, keepAlive: this.cursorKeepAlive };
    let response: estypes.SearchResponse<unknown, Record<string, estypes.AggregationsAggregate>>;
    try {
      response = await this.client.search(buildSearchRequest(request, options, pit));
    } catch (error) {
      if (opened) await this.closePointInTime(opened);
      if (opened || !(error instanceof errors.ResponseError)) throw error;
      // Only a point in time the client sent can be gone or garbled.
      if (error.statusCode === 404) return err(expiredCursor());
      // The request is the server's own but for the point in time the client sent: a 400 is that id.
      if (error.statusCode === 400) return err(invalidCursor());
      throw error;
    }
    const page = readPage(request, response, options.withFacets);
    // Nobody can page on from a first page that is the only one: free the view at once. Later
    // last pages keep it until it expires, so a client retrying one still gets its answer.
    if (opened && !page.hasNextPage) await this.closePointInTime(response.pit_id ?? opened);
    return ok(page);
  }

  private async searchLive(request: SearchRequest, options: SearchOptions): Promise<Result<SearchPage>> {
    const response = await this.client.search({ index: this.alias, ...buildSearchRequest(request, options) });
    return ok(readPage(request, response, options.withFacets));
  }

  private async closePointInTime(id: string): Promise<void> {
    // Best effort: an unclosed point in time expires by itself after `cursorKeepAlive`.
    await this.client.closePointInTime({ id }).catch(() => undefined);
  }

  async refresh(index: string): Promise<void> {
    await this.client.indices.refresh({ index });
  }

  async swapAlias(index: string): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      const previous = await this.aliasedIndices();
      try {
        await this.client.indices.updateAliases({
          actions: [
            ...previous
              .filter((name) => name !== index)
              .map((name) => ({ remove: { index: name, alias: this.alias } })),
            { add: { index, alias: this.alias } },
          ],
        });
        return previous;
      } catch (error) {
        // Another instance moved the alias between our read and our update: read again.
        if (attempt >= 3 || !isResponseError(error, 'aliases_not_found_exception')) throw error;
      }
    }
  }

  async deleteIndex(index: string): Promise<void> {
    try {
      await this.client.indices.delete({ index });
    } catch (error) {
      if (!isResponseError(error, 'index_not_found_exception')) throw error;
    }
  }

  /** The physical indices behind the alias (one, except in the instant of a swap). */
  async aliasedIndices(): Promise<string[]> {
    try {
      return Object.keys(await this.client.indices.getAlias({ name: this.alias }));
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 404) return [];
      throw error;
    }
  }

  async healthy(): Promise<boolean> {
    const health = await this.client.cluster.health({ timeout: '1s' });
    return health.status !== 'red';
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
