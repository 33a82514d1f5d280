import { ok, type Result } from '@marketplace/shared-kernel';
import type { ReviewsContext } from './ports.js';

export interface RatingsRebuilt {
  /** Product summaries set to what their published reviews say. */
  products: number;
  /** Seller totals set to the sums of their products' summaries. */
  sellers: number;
}

/**
 * Operations' rebuild of the ratings read model, in one transaction: every product whose summary
 * drifted from its published reviews is set to the truth through the aggregate, so the correction
 * bumps its version and is announced (`reviews.product-rating-changed`) like any other change;
 * then the sellers' totals are recomputed whole from the products' summaries.
 */
export function rebuildRatings(ctx: ReviewsContext): Promise<Result<RatingsRebuilt>> {
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    let products = 0;
    for (const truth of await tx.ratings.drifted()) {
      const rating = await tx.ratings.productForUpdate(truth.productId, truth.sellerId);
      const before = rating.version;
      rating.apply({ sum: rating.sum, count: rating.count }, { sum: truth.sum, count: truth.count }, now);
      if (rating.version !== before) products += 1;
      tx.track(rating);
    }
    return ok({ products, sellers: await tx.ratings.recomputeSellers() });
  });
}
