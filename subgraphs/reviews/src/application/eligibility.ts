import { ok, type Result } from '@marketplace/shared-kernel';
import type { PurchasedLine, ReviewsContext } from './ports.js';

/** The lines of an order (from the checkout's create-order command): what the buyer bought from whom. */
export const recordPurchase = (lines: readonly PurchasedLine[], ctx: ReviewsContext): Promise<Result<void>> =>
  ctx.transaction(async (tx) => {
    await tx.purchases.recordLines(lines);
    return ok(undefined);
  });

/** One seller's parcel arrived: the buyer may review that seller's products in the order. */
export const recordDelivery = (
  delivery: { orderId: string; sellerId: string; subOrderId: string; at: Date },
  ctx: ReviewsContext,
): Promise<Result<void>> =>
  ctx.transaction(async (tx) => {
    await tx.purchases.recordDelivery(delivery);
    return ok(undefined);
  });
