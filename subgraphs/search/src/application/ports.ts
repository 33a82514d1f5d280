import type { UseCaseContext } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type {
  ProductDocument,
  ProductSnapshot,
  ProductState,
  StockLevel,
} from '../domain/product-document.js';
import type { SearchPage, SearchRequest } from '../domain/search-request.js';

/** A document with the external version it is written under. */
export interface VersionedDocument {
  id: string;
  version: number;
  document: ProductDocument;
}

/** A product's state as stored, with the index version of its last write. */
export interface StoredProduct {
  state: ProductState;
  indexVersion: number;
  stock: StockLevel[];
}

export interface StockLevelChange {
  sku: string;
  variantId: string | null;
  productId: string;
  sellerId: string;
  available: number;
  version: number;
}

export type StoreStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED';

export interface StoreStatusChange {
  sellerId: string;
  status: StoreStatus;
  version: number;
}

/** Search's own database, inside one transaction. */
export interface SearchStateTransaction {
  /** Row-locks the product's state until commit, creating an empty one when missing. */
  lockProduct(productId: string, sellerId: string): Promise<ProductState>;
  /**
   * Stores the state and gives it a new index version: strictly greater than any version handed
   * out before, also by transactions that rolled back, so an older write can never win.
   */
  saveProduct(state: ProductState): Promise<number>;
  /** Availability of these SKUs (missing SKUs have none). */
  stockOfSkus(skus: readonly string[]): Promise<StockLevel[]>;
  /** Stores the level unless a same or newer version is stored; true when it changed. */
  recordStock(change: StockLevelChange): Promise<boolean>;
  /** Stores the status unless a same or newer version is stored; true when it changed. */
  recordStoreStatus(change: StoreStatusChange): Promise<boolean>;
  /** Physical indices being rebuilt behind `alias`: live writes go there too. */
  indicesUnderConstruction(alias: string): Promise<string[]>;
}

export interface SearchState {
  transaction<T>(work: (tx: SearchStateTransaction) => Promise<T>): Promise<T>;
  suspendedSellerIds(): Promise<string[]>;
  /** Products with a snapshot (the documents a rebuild writes). */
  countIndexable(): Promise<number>;
  /** Products with a snapshot ordered by id after `afterProductId`, with their stock. */
  indexablePage(afterProductId: string | null, limit: number): Promise<StoredProduct[]>;
  /**
   * Records an index under construction behind `alias`. A build already running whose heartbeat
   * is older than `staleBefore` is taken over (its index name returned as abandoned); a live one
   * makes this return `{ running }`.
   */
  startBuild(
    alias: string,
    index: string,
    now: Date,
    staleBefore: Date,
  ): Promise<{ started: true; abandoned: string | null } | { started: false; running: string }>;
  touchBuild(alias: string, index: string, now: Date): Promise<void>;
  endBuild(alias: string, index: string): Promise<void>;
}

/**
 * Writes documents into the search engine (Elasticsearch, or Postgres full-text search), each
 * under an external version: the highest version wins whatever the arrival order.
 */
export interface ProductIndexWriter {
  /** The alias searches read and live writes go to. */
  readonly alias: string;
  /**
   * Writes every document to every target (an alias or a physical index); a target holding the
   * same or a newer version keeps it. Searchable once `refresh` on the target returned (and, on
   * Postgres, once the writing transaction committed).
   * Throws `IndexUnavailableError` when the index cannot take writes right now (unreachable,
   * overloaded, shards not yet assigned); any other error means the documents were refused.
   */
  write(targets: readonly string[], documents: readonly VersionedDocument[]): Promise<void>;
}

/**
 * The index is away or overloaded, not the document at fault: the same write succeeds later,
 * so a consumer waits and retries instead of dead-lettering the event.
 */
export class IndexUnavailableError extends Error {
  readonly code = 'SEARCH.INDEX_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IndexUnavailableError';
  }
}

export interface SearchOptions {
  excludedSellerIds: readonly string[];
  withFacets: boolean;
}

export interface ProductSearcher {
  /**
   * A page of a search. Following `endCursor` shows every product of the results exactly once,
   * while other products are indexed meanwhile (Elasticsearch pages RELEVANCE through the view
   * of its first page; a product changed in between may move across the cursor where an
   * engine reads live values, and where Elasticsearch had no view to give: past its limit of
   * open points in time). Rejects a cursor whose view the engine no longer keeps with
   * `SEARCH.CURSOR_EXPIRED`.
   */
  search(request: SearchRequest, options: SearchOptions): Promise<Result<SearchPage>>;
}

/** What a rebuild needs from the search engine besides writing. */
export interface IndexAdmin extends ProductIndexWriter {
  /** Creates a new, empty physical index with the current mapping and returns its name. */
  createIndex(): Promise<string>;
  refresh(index: string): Promise<void>;
  /** Points the alias at `index` only, in one atomic step; returns the indices it left. */
  swapAlias(index: string): Promise<string[]>;
  deleteIndex(index: string): Promise<void>;
}

/** One product as the products subgraph (the source of truth) reports it. */
export interface SourceProduct {
  productId: string;
  sellerId: string;
  version: number;
  createdAt: string;
  snapshot: ProductSnapshot;
}

/** The catalog's source of truth, read page by page for a rebuild. */
export interface ProductSource {
  page(after: string | null, first: number): Promise<{ items: SourceProduct[]; nextCursor: string | null }>;
}

/** What a use case's transaction works on: search's own state, in that transaction. */
export interface SearchRepositories {
  state: SearchStateTransaction;
}

/** Search's use-case context (the platform kit's, see `searchUseCases`). */
export type SearchContext = UseCaseContext<SearchRepositories, { clock: Clock }>;
