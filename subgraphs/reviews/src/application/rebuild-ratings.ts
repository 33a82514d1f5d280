import { ok, type Result } from '@marketplace/shared-kernel';
import type { RatingTotals } from '../domain/rating.js';
import type { ReviewsContext } from './ports.js';

/** A product's totals as its published reviews say, where they differ from its stored summary. */
export interface RatingTruth extends RatingTotals {
  productId: string;
  sellerId: string;
}

/**
 * Operations' rebuild of the ratings read model: every product whose summary drifted from its
 * published reviews is set to the truth through the aggregate, so the correction bumps its
 * version and is announced (`reviews.product-rating-changed`) like any other change. Returns
 * how many summaries changed.
 */
export function rebuildRatings(truths: readonly RatingTruth[], ctx: ReviewsContext): Promise<Result<number>> {
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    let corrected = 0;
    for (const truth of truths) {
      const rating = await tx.ratings.productForUpdate(truth.productId, truth.sellerId);
      const before = rating.version;
      rating.apply({ sum: rating.sum, count: rating.count }, { sum: truth.sum, count: truth.count }, now);
      if (rating.version !== before) corrected += 1;
      tx.track(rating);
    }
    return ok(corrected);
  });
}
