import { describe, expect, it } from '@jest/globals';
import { err, type DomainError, type EventSource, type Result } from '@marketplace/shared-kernel';
import type { Actor, TransactionTools } from '@marketplace/platform';
import { ProductRating, type RatingTotals } from '../domain/rating.js';
import type { Purchase, Review } from '../domain/review.js';
import type { PurchaseLedger, ReviewsContext, ReviewsRepositories } from './ports.js';
import { submitReview } from './submit-review.js';
import { hideReview, restoreReview } from './moderate-review.js';

const productId = '0190f0a0-0000-7000-8000-000000000002';
const sellerId = '0190f0a0-0000-7000-8000-000000000003';
const buyer: Actor = { userId: '0190f0a0-0000-7000-8000-000000000001', role: 'buyer', sellerId: null };
const admin: Actor = { userId: '0190f0a0-0000-7000-8000-0000000000ad', role: 'admin', sellerId: null };
const now = new Date('2026-11-01T10:00:00Z');

/** In-memory ports with commit-or-discard semantics, like the real transaction. */
function world(delivered: Purchase[] = []) {
  const committed = {
    reviews: new Map<string, Review>(),
    ratings: new Map<string, ProductRating>(),
    sellers: new Map<string, RatingTotals>(),
    events: [] as object[],
  };
  const purchases: PurchaseLedger = {
    latestDelivered: async (buyerId, product) =>
      delivered.find((p) => p.buyerId === buyerId && p.productId === product) ?? null,
    recordLines: async () => {},
    recordDelivery: async () => {},
  };
  const context = (actor: Actor | null): ReviewsContext => ({
    actor,
    correlationId: 'test',
    causationId: null,
    clock: { now: () => now },
    async transaction<T, C extends string = string>(
      work: (tx: ReviewsRepositories & TransactionTools) => Promise<Result<T, DomainError<C>>>,
    ) {
      const added: Review[] = [];
      const sellerDeltas: [string, RatingTotals][] = [];
      const tracked = new Set<EventSource>();
      const result = await work({
        reviews: {
          ofBuyerForProduct: async (b, p) =>
            [...committed.reviews.values()].find((r) => r.buyerId === b && r.productId === p) ?? null,
          byId: async (id) => committed.reviews.get(id) ?? null,
          productOf: async (id) => {
            const r = committed.reviews.get(id);
            return r ? { productId: r.productId, sellerId: r.sellerId } : null;
          },
          add: (r) => added.push(r),
        },
        ratings: {
          productForUpdate: async (p, s) => committed.ratings.get(p) ?? ProductRating.empty(p, s),
          addToSeller: async (s, delta) => void sellerDeltas.push([s, delta]),
          drifted: async () => [],
          recomputeSellers: async () => 0,
        },
        purchases,
        track: (r) => void tracked.add(r),
        afterCommit: () => {},
      });
      if (!result.ok) return result;
      for (const r of added) committed.reviews.set(r.id, r);
      for (const r of tracked) {
        if (r instanceof ProductRating) committed.ratings.set(r.productId, r);
        committed.events.push(...r.pullEvents().map((e) => e.payload));
      }
      for (const [s, d] of sellerDeltas) {
        const t = committed.sellers.get(s) ?? { sum: 0, count: 0 };
        committed.sellers.set(s, { sum: t.sum + d.sum, count: t.count + d.count });
      }
      return result;
    },
  });
  return { committed, context };
}

const purchase: Purchase = {
  buyerId: buyer.userId,
  productId,
  sellerId,
  orderId: '0190f0a0-0000-7000-8000-000000000004',
  subOrderId: null,
};

const unwrap = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};

describe('submitReview', () => {
  it('refuses a buyer without a delivered line, and anyone not a signed-in buyer, changing nothing', async () => {
    const { committed, context } = world();
    expect(await submitReview({ productId, stars: 5 }, context(buyer))).toEqual(
      err(expect.objectContaining({ code: 'REVIEW.NOT_ELIGIBLE' })),
    );
    expect(await submitReview({ productId, stars: 5 }, context(null))).toMatchObject({
      error: { code: 'AUTH.UNAUTHENTICATED' },
    });
    expect(await submitReview({ productId, stars: 5 }, context(admin))).toMatchObject({
      error: { code: 'AUTH.FORBIDDEN' },
    });
    expect(await submitReview({ productId: 'nope', stars: 5 }, context(buyer))).toMatchObject({
      error: { code: 'REVIEW.NOT_ELIGIBLE' },
    });
    expect(committed.reviews.size + committed.ratings.size + committed.events.length).toBe(0);
  });

  it('validates stars before looking for a purchase', async () => {
    const { context } = world([purchase]);
    expect(await submitReview({ productId, stars: 7 }, context(buyer))).toMatchObject({
      error: { code: 'REVIEW.INVALID_STARS' },
    });
  });

  it('publishes, then edits on a second submission, moving product and seller totals by the difference', async () => {
    const { committed, context } = world([purchase]);
    const first = unwrap(await submitReview({ productId, stars: 5 }, context(buyer)));
    const second = unwrap(await submitReview({ productId, stars: 3, title: 'Meh' }, context(buyer)));
    expect(second.id).toBe(first.id);
    expect(committed.reviews.size).toBe(1);
    expect(committed.ratings.get(productId)).toMatchObject({ sum: 3, count: 1, version: 2 });
    expect(committed.sellers.get(sellerId)).toEqual({ sum: 3, count: 1 });
    expect(committed.events).toEqual([
      { productId, sellerId, average: 5, count: 1, version: 1 },
      { productId, sellerId, average: 3, count: 1, version: 2 },
    ]);
  });
});

describe('moderation', () => {
  it('is for admins; hiding and restoring take the review out of and back into the totals', async () => {
    const { committed, context } = world([purchase]);
    const review = unwrap(await submitReview({ productId, stars: 4 }, context(buyer)));
    expect(await hideReview(review.id, 'spam', context(buyer))).toMatchObject({
      error: { code: 'AUTH.FORBIDDEN' },
    });
    unwrap(await hideReview(review.id, 'spam', context(admin)));
    expect(committed.sellers.get(sellerId)).toEqual({ sum: 0, count: 0 });
    expect(committed.ratings.get(productId)).toMatchObject({ sum: 0, count: 0, average: null });
    unwrap(await restoreReview(review.id, context(admin)));
    expect(committed.ratings.get(productId)).toMatchObject({ sum: 4, count: 1, average: 4 });
    expect(await restoreReview(review.id, context(admin))).toMatchObject({
      error: { code: 'REVIEW.INVALID_TRANSITION' },
    });
    expect(await hideReview('0190f0a0-0000-7000-8000-0000000000ff', 'x', context(admin))).toMatchObject({
      error: { code: 'REVIEW.NOT_FOUND' },
    });
    expect(committed.events).toHaveLength(3);
  });
});
