import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, type RequestContext } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import { StockItem } from '../../domain/stock-item.js';
import type { InventoryContext, StockRepository } from '../../application/ports.js';

export class MikroStockRepository implements StockRepository {
  constructor(private readonly em: EntityManager) {}

  byProductForUpdate(productId: string): Promise<StockItem | null> {
    return this.em.findOne(StockItem, { productId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  add(item: StockItem): void {
    this.em.persist(item);
  }
}

/** One query for any number of products: the batch behind `Product.stock`. */
export function stockByProductIds(em: EntityManager, productIds: readonly string[]): Promise<StockItem[]> {
  return em.find(StockItem, { productId: { $in: [...productIds] } });
}

export function stockBySeller(em: EntityManager, sellerId: string, limit: number): Promise<StockItem[]> {
  return em.find(StockItem, { sellerId }, { orderBy: { productId: 'asc' }, limit });
}

export function inventoryContext(
  ctx: Pick<RequestContext, 'actor' | 'correlationId' | 'traceparent' | 'em'> & { causationId?: string },
  clock: Clock = systemClock,
): InventoryContext {
  return {
    actor: ctx.actor,
    correlationId: ctx.correlationId,
    clock,
    transaction: (work) =>
      inTransaction(
        ctx.em,
        {
          producer: 'inventory',
          correlationId: ctx.correlationId,
          causationId: ctx.causationId,
          traceparent: ctx.traceparent,
        },
        (scope) => work({ stock: new MikroStockRepository(scope.em), track: (item) => scope.track(item) }),
      ),
  };
}
