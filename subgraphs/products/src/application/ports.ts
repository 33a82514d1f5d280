import type { Actor } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { Product, SellerStanding } from '../domain/product.js';
import type { Category } from '../domain/category.js';

export interface ProductRepository {
  /** Loads and row-locks the product for the rest of the transaction. */
  findForUpdate(id: string): Promise<Product | null>;
  add(product: Product): void;
  /**
   * Claims SKUs marketplace-wide for a product's variants. Returns the first SKU that another
   * product already holds, or null when all are now this product's.
   */
  claimSkus(productId: string, variants: { sku: string; variantId: string }[]): Promise<string | null>;
}

export interface CategoryRepository {
  byId(id: string): Promise<Category | null>;
  slugTaken(slug: string): Promise<boolean>;
  add(category: Category): void;
}

/** The products subgraph's own projection of store standing, fed by accounts events. */
export interface SellerDirectory {
  standing(sellerId: string): Promise<SellerStanding>;
}

export interface ProductTransaction {
  products: ProductRepository;
  categories: CategoryRepository;
  sellers: SellerDirectory;
  /** Enlists an aggregate whose events go to the outbox on commit. */
  track(product: Product): void;
}

/** What every products use case receives besides its input. */
export interface ProductsContext {
  actor: Actor | null;
  correlationId: string;
  clock: Clock;
  /** Runs the work in one transaction; a rejected result rolls it back. */
  transaction<T>(work: (tx: ProductTransaction) => Promise<Result<T>>): Promise<Result<T>>;
  /** Called after a commit, e.g. to mark cached copies stale. */
  afterCommit?(productId: string, version: number): Promise<void>;
}
