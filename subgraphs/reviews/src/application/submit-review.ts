import { err, isUuid, ok, type Result } from '@marketplace/shared-kernel';
import { forbidden, unauthenticated } from '@marketplace/platform';
import { Review, ReviewErrors, validateReviewText, type ReviewText } from '../domain/review.js';
import type { ReviewsContext } from './ports.js';

export interface SubmitReviewInput extends ReviewText {
  productId: string;
}

/**
 * A buyer rates a product they received. The first submission publishes a review; a later
 * one edits it. The product's and seller's summaries change in the same transaction.
 */
export function submitReview(input: SubmitReviewInput, ctx: ReviewsContext): Promise<Result<Review>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(unauthenticated()));
  if (actor.role !== 'buyer') return Promise.resolve(err(forbidden('Only buyers review products')));
  // Bad input is refused before anything is read or locked.
  const text = validateReviewText(input);
  if (!text.ok) return Promise.resolve(text);
  // Purchases are recorded by uuid; any other id cannot have bought anything.
  if (!isUuid(input.productId) || !isUuid(actor.userId))
    return Promise.resolve(err(ReviewErrors.notEligible()));
  const productId = input.productId.toLowerCase();

  return ctx.transaction(async (tx) => {
    const purchase = await tx.purchases.latestDelivered(actor.userId, productId);
    if (!purchase) return err(ReviewErrors.notEligible());
    // The product's lock first: a concurrent submission by the same buyer then finds this review.
    const rating = await tx.ratings.productForUpdate(productId, purchase.sellerId);
    const now = ctx.clock.now();
    let review = await tx.reviews.ofBuyerForProduct(actor.userId, productId);
    const before = review?.contribution ?? { sum: 0, count: 0 };
    if (review) {
      const edited = review.edit(purchase, text.value, now);
      if (!edited.ok) return edited;
    } else {
      const created = Review.submit(purchase, text.value, now);
      if (!created.ok) return created;
      review = created.value;
      tx.reviews.add(review);
    }
    const after = review.contribution;
    rating.apply(before, after, now);
    await tx.ratings.addToSeller(rating.sellerId, {
      sum: after.sum - before.sum,
      count: after.count - before.count,
    });
    tx.track(rating);
    return ok(review);
  });
}
