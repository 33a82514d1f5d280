import { Guard, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { StockItem } from '../domain/stock-item.js';
import type { InventoryContext } from './ports.js';

export interface AdjustStockInput {
  productId: string;
  delta: number;
  reason: string;
}

const notFound = () => domainError('STOCK.NOT_FOUND', 'No stock record for this product', 'productId');

/** A seller corrects the stock of one of its own products; others' products look missing. */
export async function adjustStock(
  input: AdjustStockInput,
  ctx: InventoryContext,
): Promise<Result<StockItem>> {
  const { actor } = ctx;
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'seller' || !actor.sellerId)
    return err(domainError('AUTH.FORBIDDEN', 'Only sellers adjust stock'));
  const productId = Guard.uuid('productId', input.productId);
  if (!productId.ok) return productId;
  return ctx.transaction(async (tx) => {
    const item = await tx.stock.byProductForUpdate(productId.value);
    if (!item || !item.isOwnedBy(actor.sellerId)) return err(notFound());
    const adjusted = item.adjust(input.delta, input.reason, ctx.clock.now());
    if (!adjusted.ok) return adjusted;
    tx.track(item);
    return ok(item);
  });
}
