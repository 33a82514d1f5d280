import { err, isUuid, ok, type Result } from '@marketplace/shared-kernel';
import { forbidden, unauthenticated } from '@marketplace/platform';
import { ReviewErrors, type Review } from '../domain/review.js';
import type { ReviewsContext } from './ports.js';

type Moderation = (review: Review, now: Date) => Result<void>;

function moderate(reviewId: string, change: Moderation, ctx: ReviewsContext): Promise<Result<Review>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(unauthenticated()));
  if (actor.role !== 'admin') return Promise.resolve(err(forbidden('Only admins moderate reviews')));
  if (!isUuid(reviewId)) return Promise.resolve(err(ReviewErrors.notFound()));
  const id = reviewId.toLowerCase();

  return ctx.transaction(async (tx) => {
    const owner = await tx.reviews.productOf(id);
    if (!owner) return err(ReviewErrors.notFound());
    // Same lock order as a submission: the product's summary, then the review.
    const rating = await tx.ratings.productForUpdate(owner.productId, owner.sellerId);
    const review = await tx.reviews.byId(id);
    if (!review) return err(ReviewErrors.notFound());
    const before = review.contribution;
    const now = ctx.clock.now();
    const changed = change(review, now);
    if (!changed.ok) return changed;
    const after = review.contribution;
    rating.apply(before, after, now);
    await tx.ratings.addToSeller(review.sellerId, {
      sum: after.sum - before.sum,
      count: after.count - before.count,
    });
    tx.track(rating);
    return ok(review);
  });
}

/** Admin: PUBLISHED → HIDDEN with a reason; it leaves the summaries. */
export const hideReview = (reviewId: string, reason: string, ctx: ReviewsContext) =>
  moderate(reviewId, (review, now) => review.hide(reason, now), ctx);

/** Admin: HIDDEN → PUBLISHED; it counts again. */
export const restoreReview = (reviewId: string, ctx: ReviewsContext) =>
  moderate(reviewId, (review, now) => review.restore(now), ctx);
