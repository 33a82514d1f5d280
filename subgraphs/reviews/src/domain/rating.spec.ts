import { describe, expect, it } from '@jest/globals';
import { ProductRating, averageOf } from './rating.js';

const productId = '0190f0a0-0000-7000-8000-000000000002';
const sellerId = '0190f0a0-0000-7000-8000-000000000003';
const now = new Date('2026-11-01T10:00:00Z');
const none = { sum: 0, count: 0 };
const one = (stars: number) => ({ sum: stars, count: 1 });

describe('averageOf', () => {
  it('is null without reviews', () => {
    expect(averageOf({ sum: 0, count: 0 })).toBeNull();
  });

  it.each([
    [{ sum: 5, count: 1 }, 5],
    [{ sum: 9, count: 2 }, 4.5],
    [{ sum: 13, count: 3 }, 4.3], // 4.333…
    [{ sum: 14, count: 3 }, 4.7], // 4.666…
    [{ sum: 89, count: 20 }, 4.5], // exactly 4.45: half rounds up
    [{ sum: 21, count: 20 }, 1.1], // exactly 1.05
    [{ sum: 3, count: 3 }, 1],
  ])('%p → %p', (totals, expected) => {
    expect(averageOf(totals)).toBe(expected);
  });

  it('stays exact for a million reviews where float sums would drift', () => {
    // 0.1-step floats drift when summed one by one; integer totals do not.
    const count = 1_000_000;
    const sum = 4 * count + count / 2; // every other review 5, the rest 4: 4.5 exactly
    expect(averageOf({ sum, count })).toBe(4.5);
    expect(averageOf({ sum: sum + 1, count })).toBe(4.5);
  });
});

describe('ProductRating', () => {
  it('adds, replaces and removes contributions, announcing each change with the new summary', () => {
    const rating = ProductRating.empty(productId, sellerId);
    rating.apply(none, one(4), now);
    rating.apply(none, one(5), now);
    expect(rating).toMatchObject({ sum: 9, count: 2, average: 4.5, version: 2 });
    rating.apply(one(5), one(2), now); // an edit
    rating.apply(one(4), none, now); // hidden
    expect(rating).toMatchObject({ sum: 2, count: 1, average: 2, version: 4 });
    rating.apply(one(2), none, now);
    expect(rating).toMatchObject({ sum: 0, count: 0, average: null });
    const events = rating.pullEvents();
    expect(events.map((e) => e.payload)).toEqual([
      { productId, sellerId, average: 4, count: 1, version: 1 },
      { productId, sellerId, average: 4.5, count: 2, version: 2 },
      { productId, sellerId, average: 3, count: 2, version: 3 },
      { productId, sellerId, average: 2, count: 1, version: 4 },
      { productId, sellerId, average: null, count: 0, version: 5 },
    ]);
    expect(events[0]).toMatchObject({
      type: 'reviews.product-rating-changed',
      version: 1,
      aggregateType: 'ProductRating',
      aggregateId: productId,
    });
  });

  it('announces nothing when the summary does not move', () => {
    const rating = ProductRating.empty(productId, sellerId);
    rating.apply(none, one(3), now);
    rating.pullEvents();
    rating.apply(one(3), one(3), now); // text-only edit
    rating.apply(none, none, now); // a hidden review edited
    expect(rating.pullEvents()).toEqual([]);
    expect(rating.version).toBe(1);
  });

  it('refuses to count a review it never counted', () => {
    const rating = ProductRating.empty(productId, sellerId);
    expect(() => rating.apply(one(4), none, now)).toThrow('sum -4 over -1 reviews');
    expect(rating).toMatchObject({ sum: 0, count: 0, version: 0 });
  });
});
