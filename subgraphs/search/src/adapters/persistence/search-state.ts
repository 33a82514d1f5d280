import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import type { ProductSnapshot, ProductState, StockLevel } from '../../domain/product-document.js';
import type {
  SearchRepositories,
  SearchState,
  SearchStateTransaction,
  StockLevelChange,
  StoreStatusChange,
  StoredProduct,
} from '../../application/ports.js';

interface ProductRow {
  product_id: string;
  seller_id: string;
  product_version: number;
  snapshot: ProductSnapshot | string | null;
  created_at: Date | string | null;
  published_at: Date | string | null;
  index_version: number | string;
  stock?: StockLevel[] | string | null;
}

const PRODUCT_COLUMNS =
  'product_id, seller_id, product_version, snapshot, created_at, published_at, index_version';

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toState(row: ProductRow): ProductState {
  return {
    productId: row.product_id,
    sellerId: row.seller_id,
    productVersion: Number(row.product_version),
    snapshot: row.snapshot === null ? null : json<ProductSnapshot>(row.snapshot),
    createdAt: iso(row.created_at),
    publishedAt: iso(row.published_at),
  };
}

/**
 * Search's state in its own PostgreSQL database, in plain SQL: the tables are a projection
 * (upserts guarded by versions), not aggregates, so there is nothing for an entity mapping to add.
 */
class SqlSearchStateTransaction implements SearchStateTransaction {
  constructor(private readonly em: EntityManager) {}

  async lockProduct(productId: string, sellerId: string): Promise<ProductState> {
    await this.em.execute(
      'insert into search_product (product_id, seller_id) values (?, ?) on conflict (product_id) do nothing',
      [productId, sellerId],
    );
    const [row] = await this.em.execute<ProductRow[]>(
      `select ${PRODUCT_COLUMNS} from search_product where product_id = ? for update`,
      [productId],
    );
    return toState(row!);
  }

  async saveProduct(state: ProductState): Promise<number> {
    const [row] = await this.em.execute<{ index_version: string | number }[]>(
      `update search_product
          set seller_id = ?, product_version = ?, snapshot = ?::jsonb, created_at = ?, published_at = ?,
              index_version = nextval('search_index_version_seq'), updated_at = now()
        where product_id = ?
        returning index_version`,
      [
        state.sellerId,
        state.productVersion,
        state.snapshot === null ? null : JSON.stringify(state.snapshot),
        state.createdAt,
        state.publishedAt,
        state.productId,
      ],
    );
    return Number(row!.index_version);
  }

  async stockOfSkus(skus: readonly string[]): Promise<StockLevel[]> {
    if (skus.length === 0) return [];
    const rows = await this.em.execute<{ sku: string; available: number }[]>(
      'select sku, available from search_stock_level where sku in (?)',
      [[...new Set(skus)]],
    );
    return rows.map((r) => ({ sku: r.sku, available: Number(r.available) }));
  }

  async recordStock(change: StockLevelChange): Promise<boolean> {
    const rows = await this.em.execute<{ sku: string }[]>(
      `insert into search_stock_level (sku, product_id, variant_id, available, version) values (?, ?, ?, ?, ?)
       on conflict (sku) do update
          set product_id = excluded.product_id, variant_id = excluded.variant_id,
              available = excluded.available, version = excluded.version, updated_at = now()
        where search_stock_level.version < excluded.version
       returning sku`,
      [change.sku, change.productId, change.variantId, change.available, change.version],
    );
    return rows.length > 0;
  }

  async recordStoreStatus(change: StoreStatusChange): Promise<boolean> {
    const rows = await this.em.execute<{ seller_id: string }[]>(
      `insert into search_seller (seller_id, status, version) values (?, ?, ?)
       on conflict (seller_id) do update
          set status = excluded.status, version = excluded.version, updated_at = now()
        where search_seller.version < excluded.version
       returning seller_id`,
      [change.sellerId, change.status, change.version],
    );
    return rows.length > 0;
  }

  async indicesUnderConstruction(alias: string): Promise<string[]> {
    const rows = await this.em.execute<{ index_name: string }[]>(
      'select index_name from search_index_build where alias = ?',
      [alias],
    );
    return rows.map((r) => r.index_name);
  }
}

export class SqlSearchState implements SearchState {
  constructor(private readonly em: EntityManager) {}

  /**
   * Joins the transaction the entity manager is already in (a consumer's: a failure rolls all of
   * it back anyway), so an index bound to that entity manager (Postgres search) writes in the
   * very same transaction; otherwise opens one.
   */
  transaction<T>(work: (tx: SearchStateTransaction) => Promise<T>): Promise<T> {
    if (this.em.isInTransaction()) return work(new SqlSearchStateTransaction(this.em));
    return this.em.transactional((em) => work(new SqlSearchStateTransaction(em as EntityManager)));
  }

  async suspendedSellerIds(): Promise<string[]> {
    const rows = await this.em.execute<{ seller_id: string }[]>(
      `select seller_id from search_seller where status = 'SUSPENDED'`,
    );
    return rows.map((r) => r.seller_id);
  }

  async countIndexable(): Promise<number> {
    const [row] = await this.em.execute<{ n: string | number }[]>(
      'select count(*) as n from search_product where snapshot is not null',
    );
    return Number(row!.n);
  }

  async indexablePage(afterProductId: string | null, limit: number): Promise<StoredProduct[]> {
    // One statement per page: the rows and the stock of their current SKUs, read together.
    const rows = await this.em.execute<ProductRow[]>(
      `select ${PRODUCT_COLUMNS.split(', ')
        .map((c) => `p.${c}`)
        .join(', ')},
              coalesce((select json_agg(json_build_object('sku', s.sku, 'available', s.available))
                          from search_stock_level s
                         where s.sku in (select v ->> 'sku' from jsonb_array_elements(p.snapshot -> 'variants') v)),
                       '[]'::json) as stock
         from search_product p
        where p.snapshot is not null and (?::uuid is null or p.product_id > ?::uuid)
        order by p.product_id
        limit ?`,
      [afterProductId, afterProductId, limit],
    );
    return rows.map((row) => ({
      state: toState(row),
      indexVersion: Number(row.index_version),
      stock: json<StockLevel[]>(row.stock ?? []),
    }));
  }

  async startBuild(
    alias: string,
    index: string,
    now: Date,
    staleBefore: Date,
  ): Promise<{ started: true; abandoned: string | null } | { started: false; running: string }> {
    // Each statement is atomic on its own: of two racing rebuilds only one deletes the stale
    // row and only one inserts; the other learns which build runs.
    const [abandoned] = await this.em.execute<{ index_name: string }[]>(
      'delete from search_index_build where alias = ? and heartbeat_at < ? returning index_name',
      [alias, staleBefore],
    );
    const inserted = await this.em.execute<{ index_name: string }[]>(
      `insert into search_index_build (alias, index_name, started_at, heartbeat_at) values (?, ?, ?, ?)
       on conflict (alias) do nothing returning index_name`,
      [alias, index, now, now],
    );
    if (inserted.length > 0) return { started: true, abandoned: abandoned?.index_name ?? null };
    const [running] = await this.em.execute<{ index_name: string }[]>(
      'select index_name from search_index_build where alias = ?',
      [alias],
    );
    return { started: false, running: running?.index_name ?? 'an unknown index' };
  }

  async touchBuild(alias: string, index: string, now: Date): Promise<void> {
    await this.em.execute(
      'update search_index_build set heartbeat_at = ? where alias = ? and index_name = ?',
      [now, alias, index],
    );
  }

  async endBuild(alias: string, index: string): Promise<void> {
    await this.em.execute('delete from search_index_build where alias = ? and index_name = ?', [
      alias,
      index,
    ]);
  }
}

/**
 * How search's use cases get their context, once: the platform builds it for a consumed message,
 * commits once per use case, appends the declared replies and the tracked events to the outbox
 * and wakes the relay after the commit.
 */
export function searchUseCases(settings: { clock?: Clock } = {}) {
  return defineUseCases({
    producer: 'search',
    repositories: (em): SearchRepositories => ({ state: new SqlSearchStateTransaction(em) }),
    extras: () => ({ clock: settings.clock ?? systemClock }),
  });
}
