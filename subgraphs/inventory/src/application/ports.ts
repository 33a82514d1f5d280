import type { Actor } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { StockItem } from '../domain/stock-item.js';

export interface StockRepository {
  /** Loads and row-locks the stock of a product for the rest of the transaction. */
  byProductForUpdate(productId: string): Promise<StockItem | null>;
  add(item: StockItem): void;
}

export interface InventoryTransaction {
  stock: StockRepository;
  track(item: StockItem): void;
}

export interface InventoryContext {
  actor: Actor | null;
  correlationId: string;
  causationId?: string;
  clock: Clock;
  transaction<T>(work: (tx: InventoryTransaction) => Promise<Result<T>>): Promise<Result<T>>;
}
