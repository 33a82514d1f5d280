import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, type UseCases } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import { StockItem } from '../../domain/stock-item.js';
import { Reservation } from '../../domain/reservation.js';
import type {
  CartHoldPolicy,
  InventoryContext,
  InventoryExtras,
  InventoryRepositories,
  ReservationRepository,
  RestockLog,
  StockRepository,
} from '../../application/ports.js';

export class MikroStockRepository implements StockRepository {
  constructor(private readonly em: EntityManager) {}

  async bySkusForUpdate(skus: readonly string[]): Promise<Map<string, StockItem>> {
    if (skus.length === 0) return new Map();
    // One statement: Postgres locks the rows as they leave the sort, i.e. in SKU order.
    const rows = await this.em.find(
      StockItem,
      { sku: { $in: [...skus] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { sku: 'asc' }, refresh: true },
    );
    return new Map(rows.map((row) => [row.sku, row]));
  }

  byVariantIdsOrSkus(variantIds: readonly string[], skus: readonly string[]): Promise<StockItem[]> {
    return this.em.find(StockItem, { $or: [{ id: { $in: [...variantIds] } }, { sku: { $in: [...skus] } }] });
  }

  add(item: StockItem): void {
    this.em.persist(item);
  }
}

export class MikroReservationRepository implements ReservationRepository {
  constructor(private readonly em: EntityManager) {}

  async lockReference(reference: string): Promise<void> {
    await this.em.execute(
      `select pg_advisory_xact_lock(hashtextextended('inventory.reservation:' || ?, 0))`,
      [reference],
    );
  }

  byReferenceForUpdate(reference: string): Promise<Reservation | null> {
    return this.em.findOne(
      Reservation,
      { reference },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }

  byIdForUpdateSkipLocked(id: string): Promise<Reservation | null> {
    return this.em.findOne(
      Reservation,
      { id },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, refresh: true },
    );
  }

  async heldCartHoldsForUpdateSkipLocked(
    skus: readonly string[],
    except: string | null,
  ): Promise<Reservation[]> {
    if (skus.length === 0) return [];
    // Locks the rows it returns and skips busy ones: never waits, so it cannot deadlock with a
    // cart's own change (which locks its reference, its row, then stock rows).
    const rows = await this.em.execute<{ id: string }[]>(
      `select r.id from reservation r
       where r.kind = 'SOFT' and r.status = 'HELD' and r.reference <> coalesce(?, '')
         and exists (select 1 from jsonb_array_elements(r.lines) l
                     where l->>'sku' = any(string_to_array(?, ',')) and (l->>'quantity')::int > 0)
       order by r.updated_at, r.id
       for update skip locked`,
      [except, skus.join(',')],
    );
    if (rows.length === 0) return [];
    const holds = await this.em.find(Reservation, { id: { $in: rows.map((r) => r.id) } }, { refresh: true });
    const order = new Map(rows.map((r, i) => [r.id, i]));
    return holds.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  async expiredIds(now: Date, limit: number): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `select id from reservation where status = 'HELD' and expires_at <= ? order by expires_at limit ?`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  add(reservation: Reservation): void {
    this.em.persist(reservation);
  }
}

export class SqlRestockLog implements RestockLog {
  constructor(private readonly em: EntityManager) {}

  async recordOnce(refundRequestId: string, orderId: string, at: Date): Promise<boolean> {
    const rows = await this.em.execute<{ refund_request_id: string }[]>(
      `insert into restock (refund_request_id, order_id, restocked_at) values (?, ?, ?)
       on conflict do nothing returning refund_request_id`,
      [refundRequestId, orderId, at],
    );
    return rows.length > 0;
  }
}

/**
 * How the inventory's use cases get their context, once: the platform builds it for a request, a
 * consumed message and a job (the expiry sweeper), commits once per use case and wakes the relay
 * after the commit. The cart-hold terms come from the service's configuration.
 */
export function inventoryUseCases(settings: { cartHolds: CartHoldPolicy; clock?: Clock }) {
  return defineUseCases<InventoryRepositories, InventoryExtras>({
    producer: 'inventory',
    repositories: (em) => ({
      stock: new MikroStockRepository(em),
      reservations: new MikroReservationRepository(em),
      restocks: new SqlRestockLog(em),
    }),
    extras: () => ({ clock: settings.clock ?? systemClock, cartHolds: settings.cartHolds }),
  });
}

/** The inventory kit bound to a running service. */
export type InventoryUseCases = UseCases<InventoryContext>;

/** One query for any number of variants: the batch behind `Variant.stock`. */
export function stockByVariantIds(em: EntityManager, variantIds: readonly string[]): Promise<StockItem[]> {
  return em.find(StockItem, { id: { $in: [...variantIds] } });
}

/** One query for any number of products: whether any of each product's SKUs is available. */
export async function availabilityByProductIds(
  em: EntityManager,
  productIds: readonly string[],
): Promise<Map<string, boolean>> {
  const rows = await em.execute<{ product_id: string; in_stock: boolean }[]>(
    `select product_id, bool_or(available > 0) as in_stock from stock_item
     where product_id in (${productIds.map(() => '?').join(', ')}) group by product_id`,
    [...productIds],
  );
  return new Map(rows.map((r) => [r.product_id, r.in_stock]));
}

/** A seller's SKUs in SKU order, keyset-paginated: `limit` rows after `afterSku`. */
export function stockPageOfSeller(
  em: EntityManager,
  sellerId: string,
  afterSku: string | null,
  limit: number,
): Promise<StockItem[]> {
  return em.find(StockItem, afterSku === null ? { sellerId } : { sellerId, sku: { $gt: afterSku } }, {
    orderBy: { sku: 'asc' },
    limit,
  });
}
