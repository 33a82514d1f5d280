import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { Product, SellerStanding, StoreStatus } from '../domain/product.js';
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

/** A store's standing as accounts last reported it, with the store's version at that point. */
export interface StoreStanding {
  sellerId: string;
  status: StoreStatus;
  version: number;
}

/** The products subgraph's own projection of store standing, fed by accounts events. */
export interface SellerDirectory {
  standing(sellerId: string): Promise<SellerStanding>;
  /** Records a store's standing unless a newer version is already held. */
  record(standing: StoreStanding): Promise<void>;
}

/** The repositories of one products transaction. */
export interface ProductsRepositories {
  products: ProductRepository;
  categories: CategoryRepository;
  sellers: SellerDirectory;
}

/** The cached product views (read side): a change marks every cached copy older than it stale. */
export interface ProductViewCache {
  invalidate(productId: string, version: number): Promise<void>;
}

/** What every products use case receives besides its input (declared once: productsUseCases). */
export type ProductsContext = UseCaseContext<ProductsRepositories, { clock: Clock; views: ProductViewCache }>;

/** One products transaction: its repositories plus `track` and `afterCommit`. */
export type ProductTransaction = ProductsRepositories & TransactionTools;
