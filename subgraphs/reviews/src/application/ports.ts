import type { UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { ProductRating, RatingTotals } from '../domain/rating.js';
import type { Purchase, Review } from '../domain/review.js';

export interface ReviewRepository {
  ofBuyerForProduct(buyerId: string, productId: string): Promise<Review | null>;
  byId(id: string): Promise<Review | null>;
  /** The product and seller of a review, read without loading it (to take the product's lock first). */
  productOf(reviewId: string): Promise<{ productId: string; sellerId: string } | null>;
  add(review: Review): void;
}

export interface RatingRepository {
  /**
   * The product's summary, row-locked (created empty when missing): every change to one
   * product's reviews queues on this lock, so its sum and count never lose an update.
   */
  productForUpdate(productId: string, sellerId: string): Promise<ProductRating>;
  /** Adds a (possibly negative) delta to the seller's totals with an atomic in-place update. */
  addToSeller(sellerId: string, delta: RatingTotals): Promise<void>;
  /** Products whose stored summary differs from their published reviews (summaries left without any included). */
  drifted(): Promise<RatingTruth[]>;
  /**
   * Sets every seller's totals to the sums of its products' summaries (changes made in this
   * transaction included); returns how many sellers' totals changed.
   */
  recomputeSellers(): Promise<number>;
}

/** A product's totals as its published reviews say, where they differ from its stored summary. */
export interface RatingTruth extends RatingTotals {
  productId: string;
  sellerId: string;
}

/** A product line of an order, as the checkout sent it to orders. */
export interface PurchasedLine {
  lineId: string;
  orderId: string;
  buyerId: string;
  productId: string;
  sellerId: string;
}

/** The eligibility projection: who bought what, and which parcels and orders arrived. */
export interface PurchaseLedger {
  /** The buyer's most recently delivered line of the product, or null when there is none. */
  latestDelivered(buyerId: string, productId: string): Promise<Purchase | null>;
  /** Idempotent: a line already known is left as it is. */
  recordLines(lines: readonly PurchasedLine[]): Promise<void>;
  /** A sub-order (one seller's parcel of an order) was delivered; idempotent. */
  recordDelivery(delivery: {
    orderId: string;
    sellerId: string;
    subOrderId: string;
    at: Date;
  }): Promise<void>;
}

/** The repositories of one reviews transaction. */
export interface ReviewsRepositories {
  reviews: ReviewRepository;
  ratings: RatingRepository;
  purchases: PurchaseLedger;
}

/** What every reviews use case receives besides its input (declared once: reviewsUseCases). */
export type ReviewsContext = UseCaseContext<ReviewsRepositories, { clock: Clock }>;
