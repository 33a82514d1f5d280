import type { Actor } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { Product } from '../domain/product.js';

export interface ProductRepository {
  /** Loads and row-locks the product for the rest of the transaction. */
  findForUpdate(id: string): Promise<Product | null>;
  add(product: Product): void;
}

export interface ProductTransaction {
  products: ProductRepository;
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
  /** Called after a commit, e.g. to drop cached copies. */
  afterCommit?(productId: string, version: number): Promise<void>;
}
