import { LockMode, type EntityDictionary } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { VersionedCache, defineUseCases, storedWhere, type KeyValueStore } from '@marketplace/platform';
import { systemClock } from '@marketplace/shared-kernel';
import { Product, type SellerStanding } from '../../domain/product.js';
import { Category } from '../../domain/category.js';
import type {
  CategoryRepository,
  ProductRepository,
  ProductViewCache,
  ProductsRepositories,
  SellerDirectory,
  StoreStanding,
} from '../../application/ports.js';
import { toView, type ProductView } from '../../application/product-view.js';
import { ProductSchema } from './product.schema.js';

/** A Postgres array literal of already validated uuids (bound as one parameter). */
const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

export class MikroProductRepository implements ProductRepository {
  constructor(private readonly em: EntityManager) {}

  findForUpdate(id: string): Promise<Product | null> {
    return this.em.findOne(Product, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  add(product: Product): void {
    this.em.persist(product);
  }

  async claimSkus(productId: string, variants: { sku: string; variantId: string }[]): Promise<string | null> {
    if (variants.length === 0) return null;
    const rows = await this.em.execute<{ sku: string; product_id: string }[]>(
      `insert into sku (sku, product_id, variant_id)
       select s, ?::uuid, v from unnest(?::text[], ?::uuid[]) as t(s, v)
       on conflict (sku) do update set sku = excluded.sku
       returning sku, product_id`,
      [
        productId,
        `{${variants.map((v) => `"${v.sku}"`).join(',')}}`,
        uuidArray(variants.map((v) => v.variantId)),
      ],
    );
    return rows.find((r) => r.product_id !== productId)?.sku ?? null;
  }
}

export class MikroCategoryRepository implements CategoryRepository {
  constructor(private readonly em: EntityManager) {}

  byId(id: string): Promise<Category | null> {
    return this.em.findOne(Category, { id });
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.em.count(Category, { slug })) > 0;
  }

  add(category: Category): void {
    this.em.persist(category);
  }
}

export class SqlSellerDirectory implements SellerDirectory {
  constructor(private readonly em: EntityManager) {}

  async standing(sellerId: string): Promise<SellerStanding> {
    const [row] = await this.em.execute<{ status: SellerStanding }[]>(
      'select status from seller_standing where seller_id = ?',
      [sellerId],
    );
    return row?.status ?? 'UNKNOWN';
  }

  record(standing: StoreStanding): Promise<void> {
    return recordSellerStanding(this.em, standing);
  }
}

/**
 * Store standing as accounts reports it; events older than what is stored are ignored, so a
 * redelivered or reordered event never resurrects an old status.
 */
export async function recordSellerStanding(em: EntityManager, event: StoreStanding): Promise<void> {
  await em.execute(
    `insert into seller_standing (seller_id, status, version) values (?, ?, ?)
     on conflict (seller_id) do update set status = excluded.status, version = excluded.version
     where seller_standing.version < excluded.version`,
    [event.sellerId, event.status, event.version],
  );
}

const VIEW_TTL_SECONDS = 300;

/** A `product` row as a raw query returns it (column names), for `em.map` to hydrate. */
type ProductTableRow = EntityDictionary<Product>;

export interface StorefrontCursor {
  publishedAt: string;
  id: string;
}

export interface ProductSnapshotRow {
  productId: string;
  sellerId: string;
  version: number;
  createdAt: string;
  snapshot: ReturnType<Product['snapshot']>;
}

/**
 * The read side. Product views by id are read through the store (Redis): missing ids are loaded with one
 * SQL query however many were asked for. A product event (and a local commit) marks every
 * cached view older than its version stale; the TTL bounds staleness if an invalidation is lost.
 */
export class ProductReader implements ProductViewCache {
  private readonly cache: VersionedCache<ProductView>;

  constructor(store: KeyValueStore) {
    this.cache = new VersionedCache<ProductView>(store, 'products:view', {
      ttlSeconds: VIEW_TTL_SECONDS,
      versionOf: (view) => view.version,
    });
  }

  async byIds(em: EntityManager, ids: readonly string[]): Promise<(ProductView | null)[]> {
    return this.cache.getMany(ids, async (missing) => {
      const rows = await em.find(Product, { id: { $in: missing } });
      return new Map(rows.map((p) => [p.id, toView(p)]));
    });
  }

  /** The products holding these variants, in one query. */
  async byVariantIds(em: EntityManager, variantIds: readonly string[]): Promise<ProductView[]> {
    if (variantIds.length === 0) return [];
    const rows = await em.execute<ProductTableRow[]>('select * from product where variant_ids && ?::uuid[]', [
      uuidArray(variantIds),
    ]);
    return rows.map((row) => toView(em.map(Product, row)));
  }

  async bySlug(em: EntityManager, slug: string): Promise<ProductView | null> {
    const product = await em.findOne(Product, storedWhere(Product, ProductSchema, { _slug: slug }));
    return product ? toView(product) : null;
  }

  async bySeller(em: EntityManager, sellerId: string, limit: number): Promise<ProductView[]> {
    const rows = await em.find(Product, { sellerId }, { orderBy: { createdAt: 'desc' }, limit });
    return rows.map(toView);
  }

  /**
   * The storefront: published products of stores that are not suspended, in a category and
   * its descendants, newest first, keyset-paginated on (published_at, id).
   */
  async storefront(
    em: EntityManager,
    filter: { categoryId: string | null; after: StorefrontCursor | null; limit: number },
  ): Promise<ProductView[]> {
    const params: unknown[] = [];
    let where = `p.status = 'PUBLISHED'
      and not exists (select 1 from seller_standing s where s.seller_id = p.seller_id and s.status = 'SUSPENDED')`;
    if (filter.categoryId) {
      where += ' and p.category_ids @> ?::uuid[]';
      params.push(uuidArray([filter.categoryId]));
    }
    if (filter.after) {
      where += ' and (p.published_at, p.id) < (?::timestamptz, ?::uuid)';
      params.push(filter.after.publishedAt, filter.after.id);
    }
    params.push(filter.limit);
    const rows = await em.execute<ProductTableRow[]>(
      `select p.* from product p where ${where} order by p.published_at desc, p.id desc limit ?`,
      params,
    );
    return rows.map((row) => toView(em.map(Product, row)));
  }

  /** Every product in id order, for rebuilding read models elsewhere (search). */
  async snapshots(em: EntityManager, after: string | null, limit: number): Promise<ProductSnapshotRow[]> {
    const rows = await em.find(Product, after ? { id: { $gt: after } } : {}, {
      orderBy: { id: 'asc' },
      limit,
    });
    return rows.map((p) => ({
      productId: p.id,
      sellerId: p.sellerId,
      version: p.version,
      createdAt: p.createdAt.toISOString(),
      snapshot: p.snapshot(),
    }));
  }

  /** Which of these sellers are suspended (one query). */
  async suspended(em: EntityManager, sellerIds: readonly string[]): Promise<Set<string>> {
    if (sellerIds.length === 0) return new Set();
    const rows = await em.execute<{ seller_id: string }[]>(
      `select seller_id from seller_standing where status = 'SUSPENDED' and seller_id = any(?::uuid[])`,
      [uuidArray(sellerIds)],
    );
    return new Set(rows.map((r) => r.seller_id));
  }

  invalidate(id: string, version: number): Promise<void> {
    return this.cache.invalidate(id, version);
  }
}

/** The products use cases' context, for requests and consumed events alike. */
export const productsUseCases = defineUseCases({
  producer: 'products',
  repositories: (em): ProductsRepositories => ({
    products: new MikroProductRepository(em),
    categories: new MikroCategoryRepository(em),
    sellers: new SqlSellerDirectory(em),
  }),
  extras: ({ store }) => ({ clock: systemClock, views: new ProductReader(store) }),
});

export class CategoryReader {
  async byIds(em: EntityManager, ids: readonly string[]): Promise<Category[]> {
    return em.find(Category, { id: { $in: [...ids] } });
  }

  async bySlug(em: EntityManager, slug: string): Promise<Category | null> {
    return em.findOne(Category, { slug });
  }

  async children(em: EntityManager, parentId: string | null): Promise<Category[]> {
    return em.find(Category, { parentId }, { orderBy: { name: 'asc' } });
  }
}
