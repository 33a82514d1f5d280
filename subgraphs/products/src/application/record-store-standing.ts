import { ok, type Result } from '@marketplace/shared-kernel';
import type { ProductsContext, StoreStanding } from './ports.js';

/**
 * Store standing as accounts reports it: it decides storefront visibility and whether a seller
 * may publish. Older versions than the one held are ignored, so a redelivered or reordered event
 * never resurrects an old status.
 */
export function recordStoreStanding(standing: StoreStanding, ctx: ProductsContext): Promise<Result<void>> {
  return ctx.transaction(async (tx) => {
    await tx.sellers.record(standing);
    return ok(undefined);
  });
}
