import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { StockItem } from '../domain/stock-item.js';
import type { Reservation } from '../domain/reservation.js';

export interface StockRepository {
  /**
   * Loads and row-locks the stock of these SKUs, locking in SKU order: every transaction that
   * locks several SKUs does it in the same order, so concurrent reservations cannot deadlock.
   * Unknown SKUs are simply missing from the map.
   */
  bySkusForUpdate(skus: readonly string[]): Promise<Map<string, StockItem>>;
  /** Stock records of these variants, and whichever records hold these SKUs. */
  byVariantIdsOrSkus(variantIds: readonly string[], skus: readonly string[]): Promise<StockItem[]>;
  add(item: StockItem): void;
}

export interface ReservationRepository {
  /** Serialises every operation on one reference until the transaction ends. */
  lockReference(reference: string): Promise<void>;
  /** Loads and row-locks a reservation (lock order: reference, reservation row, then stock rows). */
  byReferenceForUpdate(reference: string): Promise<Reservation | null>;
  /** Locks the reservation unless another transaction holds it (the sweeper skips busy rows). */
  byIdForUpdateSkipLocked(id: string): Promise<Reservation | null>;
  /**
   * Other carts' held cart holds with units of these SKUs (all but `except`), least recently
   * changed first, row-locked; holds another transaction is working on are skipped.
   */
  heldCartHoldsForUpdateSkipLocked(skus: readonly string[], except: string | null): Promise<Reservation[]>;
  /** Ids of held reservations whose time ran out, oldest first. */
  expiredIds(now: Date, limit: number): Promise<string[]>;
  add(reservation: Reservation): void;
}

/** Refunds whose units went back to stock: restocking is idempotent per refund request. */
export interface RestockLog {
  /** Records the refund request; false when it was restocked before (nothing to do then). */
  recordOnce(refundRequestId: string, orderId: string, at: Date): Promise<boolean>;
}

/** The repositories of one inventory transaction (the kit adds `track` and `afterCommit`). */
export interface InventoryRepositories {
  stock: StockRepository;
  reservations: ReservationRepository;
  restocks: RestockLog;
}

/** What the inventory's use cases read besides their input: the clock and the cart-hold terms. */
export interface InventoryExtras {
  clock: Clock;
  cartHolds: CartHoldPolicy;
}

/** What every inventory use case receives besides its input (declared once: inventoryUseCases). */
export type InventoryContext = UseCaseContext<InventoryRepositories, InventoryExtras>;

/** One inventory transaction as a use case sees it: the repositories, `track` and `afterCommit`. */
export type InventoryTransaction = InventoryRepositories & TransactionTools;

/**
 * Signed-in buyers' carts keep a soft hold on what they contain (reference `cart:<cartId>`): it
 * follows the cart's lines, holds what is available when stock is short but at most
 * `maxPerLine` units per line, and lapses `ttlSeconds` after the cart's last change (the sweeper
 * releases it; the cart's next change brings it back). Guest carts hold nothing: anyone can open
 * one without an account, so their holds would let anonymous callers lock any seller's stock.
 */
export interface CartHoldPolicy {
  ttlSeconds: number;
  maxPerLine: number;
}
