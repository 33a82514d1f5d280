import { AggregateRoot, InvariantViolation } from '@marketplace/shared-kernel';
import type { RatingContribution } from './review.js';

/** Integer totals of the published reviews: the average is derived, never stored or summed as a float. */
export interface RatingTotals {
  sum: number;
  count: number;
}

/**
 * The mean stars rounded half up to one decimal, computed in integers: tenths =
 * floor((20·sum + count) / (2·count)), so 4.45 gives 4.5 and no float error creeps in.
 * Null without published reviews.
 */
export function averageOf({ sum, count }: RatingTotals): number | null {
  if (count === 0) return null;
  return Math.floor((20 * sum + count) / (2 * count)) / 10;
}

export interface ProductRatingChangedPayload {
  productId: string;
  sellerId: string;
  average: number | null;
  count: number;
  version: number;
}

/** The rating summary of one product; every change of it is announced. */
export class ProductRating extends AggregateRoot<{
  'reviews.product-rating-changed@1': ProductRatingChangedPayload;
}> {
  private constructor(
    readonly productId: string,
    readonly sellerId: string,
    private _sum: number,
    private _count: number,
    private _version: number,
  ) {
    super();
  }

  /** Before the first review: nothing counted yet (version 0, never announced). */
  static empty(productId: string, sellerId: string): ProductRating {
    return new ProductRating(productId, sellerId, 0, 0, 0);
  }

  /** One summary per product: it is identified by the product. */
  get id() {
    return this.productId;
  }
  get sum() {
    return this._sum;
  }
  get count() {
    return this._count;
  }
  get version() {
    return this._version;
  }
  get average(): number | null {
    return averageOf({ sum: this._sum, count: this._count });
  }

  /** Replaces a review's old contribution with its new one; announces the summary if it moved. */
  apply(before: RatingContribution, after: RatingContribution, now: Date): void {
    const sum = this._sum - before.sum + after.sum;
    const count = this._count - before.count + after.count;
    // A review counted twice or removed twice would break these; never store such a summary.
    if (count < 0 || sum < count || sum > 5 * count)
      throw new InvariantViolation('REVIEW.RATING_OUT_OF_RANGE', `sum ${sum} over ${count} reviews`);
    if (sum === this._sum && count === this._count) return;
    this._sum = sum;
    this._count = count;
    this._version += 1;
    this.raise(
      'reviews.product-rating-changed@1',
      {
        productId: this.productId,
        sellerId: this.sellerId,
        average: this.average,
        count,
        version: this._version,
      },
      { occurredAt: now },
    );
  }
}
