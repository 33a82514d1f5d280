/**
 * What search keeps per product and the document it indexes. The state is rebuilt from three
 * streams (product snapshots, stock levels per SKU, store status); the document is always built
 * from the whole state, never patched, so every write carries everything the index needs.
 */

export type ProductStatus = 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';

/** Only published products are found; drafts, unpublished and deleted ones stay hidden. */
export const SEARCHABLE_STATUS: ProductStatus = 'PUBLISHED';

export interface Money {
  amount: number;
  currency: string;
}

export interface Attribute {
  name: string;
  value: string;
}

export interface CategoryRef {
  id: string;
  name: string;
  slug: string;
}

/** The product snapshot every v2 product event (and the products admin snapshot query) carries. */
export interface ProductSnapshot {
  name: string;
  slug: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  /** Root first; empty when uncategorised. */
  categoryPath: CategoryRef[];
  attributes: Attribute[];
  images: unknown[];
  variants: {
    variantId: string;
    sku: string;
    name: string;
    attributes: Attribute[];
    price: Money | null;
  }[];
}

/** Search's copy of one product. A row can exist before its first snapshot (stock came first). */
export interface ProductState {
  productId: string;
  sellerId: string;
  /** The products aggregate version of `snapshot`; 0 while no snapshot has arrived. */
  productVersion: number;
  snapshot: ProductSnapshot | null;
  createdAt: string | null;
  /** The first time search saw the product published; null when unknown. */
  publishedAt: string | null;
}

/** Availability of one SKU, as inventory last reported it. */
export interface StockLevel {
  sku: string;
  available: number;
}

/** A change to a product's snapshot, from an event or from the products source of truth. */
export interface SnapshotChange {
  productId: string;
  sellerId: string;
  version: number;
  snapshot: ProductSnapshot;
  /** When the change happened (event time); also the creation time for a first sighting. */
  occurredAt: string | null;
  /** The authoritative creation time, when the source knows it. */
  createdAt?: string | null;
}

export function emptyState(productId: string, sellerId: string): ProductState {
  return { productId, sellerId, productVersion: 0, snapshot: null, createdAt: null, publishedAt: null };
}

/**
 * Applies a snapshot change if it is newer than what the state holds; returns null for a
 * redelivered or stale change (same or lower product version), which must change nothing.
 */
export function applySnapshot(state: ProductState, change: SnapshotChange): ProductState | null {
  if (change.version <= state.productVersion) return null;
  const createdAt = change.createdAt ?? state.createdAt ?? change.occurredAt;
  const publishedAt =
    state.publishedAt ?? (change.snapshot.status === SEARCHABLE_STATUS ? change.occurredAt : null);
  return {
    productId: state.productId,
    sellerId: change.sellerId,
    productVersion: change.version,
    snapshot: change.snapshot,
    createdAt,
    publishedAt,
  };
}

/** The search document of a product (field names are the Elasticsearch mapping's; Postgres stores it as jsonb). */
export interface ProductDocument {
  productId: string;
  sellerId: string;
  status: ProductStatus;
  name: string;
  slug: string;
  description: string;
  /** Product and variant attribute values, for full text. */
  attributeText: string[];
  variantNames: string[];
  skus: string[];
  categoryId: string | null;
  /** The category and every ancestor, so filtering by a parent matches its descendants. */
  categoryIds: string[];
  categories: (CategoryRef & { depth: number })[];
  /** Distinct (name, value) pairs of the product and its variants, for filters and facets. */
  attributes: Attribute[];
  currency: string | null;
  /** Every variant price in `currency` (minor units): a price filter matches any of them. */
  prices: number[];
  priceMin: number | null;
  priceMax: number | null;
  inStock: boolean;
  createdAt: string | null;
  publishedAt: string | null;
  /** What "newest" sorts by: when it was published, else when it was created. */
  listedAt: string;
  productVersion: number;
}

const EPOCH = new Date(0).toISOString();

/**
 * Builds the document from the state and the stock of its SKUs. Null when there is nothing to
 * index yet (only stock has arrived). Prices: variants priced in the first priced variant's
 * currency (products keeps one currency per product); unpriced variants are ignored.
 * In stock: at least one of the product's current variants has available units.
 */
export function toDocument(state: ProductState, stock: readonly StockLevel[]): ProductDocument | null {
  const snapshot = state.snapshot;
  if (!snapshot) return null;
  const available = new Map(stock.map((s) => [s.sku, s.available]));
  const attributes = distinctAttributes([
    ...snapshot.attributes,
    ...snapshot.variants.flatMap((v) => v.attributes),
  ]);
  const priced = snapshot.variants.flatMap((v) => (v.price ? [v.price] : []));
  const currency = priced[0]?.currency ?? null;
  const prices = [...new Set(priced.filter((p) => p.currency === currency).map((p) => p.amount))].sort(
    (a, b) => a - b,
  );
  return {
    productId: state.productId,
    sellerId: state.sellerId,
    status: snapshot.status,
    name: snapshot.name,
    slug: snapshot.slug,
    description: snapshot.description,
    attributeText: [...new Set(attributes.map((a) => a.value))],
    variantNames: [...new Set(snapshot.variants.map((v) => v.name))],
    skus: snapshot.variants.map((v) => v.sku),
    categoryId: snapshot.categoryId,
    categoryIds: snapshot.categoryPath.map((c) => c.id),
    categories: snapshot.categoryPath.map((c, depth) => ({ id: c.id, name: c.name, slug: c.slug, depth })),
    attributes,
    currency,
    prices,
    priceMin: prices[0] ?? null,
    priceMax: prices.at(-1) ?? null,
    inStock: snapshot.variants.some((v) => (available.get(v.sku) ?? 0) > 0),
    createdAt: state.createdAt,
    publishedAt: state.publishedAt,
    listedAt: state.publishedAt ?? state.createdAt ?? EPOCH,
    productVersion: state.productVersion,
  };
}

function distinctAttributes(attributes: readonly Attribute[]): Attribute[] {
  const seen = new Map<string, Attribute>();
  for (const a of attributes) {
    const name = a.name.trim();
    const value = a.value.trim();
    const key = JSON.stringify([name, value]);
    if (!seen.has(key)) seen.set(key, { name, value });
  }
  return [...seen.values()];
}
