import { ok, type Result } from '@marketplace/shared-kernel';
import { StockItem } from '../domain/stock-item.js';
import type { InventoryContext } from './ports.js';

/** Reacts to ProductCreated: every product gets an (empty) stock record, once. */
export async function openStock(
  input: { productId: string; sellerId: string },
  ctx: InventoryContext,
): Promise<Result<StockItem>> {
  return ctx.transaction(async (tx) => {
    const existing = await tx.stock.byProductForUpdate(input.productId);
    if (existing) return ok(existing);
    const opened = StockItem.open(input.productId, input.sellerId, ctx.clock.now());
    if (!opened.ok) return opened;
    tx.stock.add(opened.value);
    return ok(opened.value);
  });
}
