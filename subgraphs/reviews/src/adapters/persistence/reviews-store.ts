import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, storedWhere } from '@marketplace/platform';
import { systemClock } from '@marketplace/shared-kernel';
import { Review, type Purchase } from '../../domain/review.js';
import { ProductRating, type RatingTotals } from '../../domain/rating.js';
import type {
  PurchaseLedger,
  PurchasedLine,
  RatingRepository,
  RatingTruth,
  ReviewRepository,
  ReviewsRepositories,
} from '../../application/ports.js';
import { ReviewSchema } from './reviews.schema.js';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export class MikroReviewRepository implements ReviewRepository {
  constructor(private readonly em: EntityManager) {}

  ofBuyerForProduct(buyerId: string, productId: string): Promise<Review | null> {
    return this.em.findOne(Review, { buyerId, productId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  byId(id: string): Promise<Review | null> {
    return this.em.findOne(Review, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  async productOf(reviewId: string) {
    const [row] = await this.em.execute<{ product_id: string; seller_id: string }[]>(
      'select product_id, seller_id from review where id = ?',
      [reviewId],
    );
    return row ? { productId: row.product_id, sellerId: row.seller_id } : null;
  }

  add(review: Review): void {
    this.em.persist(review);
  }
}

export class MikroRatingRepository implements RatingRepository {
  constructor(private readonly em: EntityManager) {}

  async productForUpdate(productId: string, sellerId: string): Promise<ProductRating> {
    const empty = ProductRating.empty(productId, sellerId);
    // Concurrent first reviews both insert; the loser's insert waits, then does nothing.
    await this.em.execute(
      `insert into product_rating (product_id, seller_id, stars_sum, review_count, version)
       values (?, ?, ?, ?, ?) on conflict (product_id) do nothing`,
      [empty.productId, empty.sellerId, empty.sum, empty.count, empty.version],
    );
    return this.em.findOneOrFail(ProductRating, { productId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  async addToSeller(sellerId: string, delta: RatingTotals): Promise<void> {
    if (delta.sum === 0 && delta.count === 0) return;
    // Not one upsert: Postgres checks the proposed row (a negative delta) before the conflict.
    await this.em.execute(
      'insert into seller_rating (seller_id, stars_sum, review_count) values (?, 0, 0) on conflict do nothing',
      [sellerId],
    );
    await this.em.execute(
      'update seller_rating set stars_sum = stars_sum + ?, review_count = review_count + ? where seller_id = ?',
      [delta.sum, delta.count, sellerId],
    );
  }

  async drifted(): Promise<RatingTruth[]> {
    const rows =
      await this.em.execute<
        { product_id: string; seller_id: string; stars_sum: number; review_count: number }[]
      >(DRIFT_SQL);
    return rows.map((r) => ({
      productId: r.product_id,
      sellerId: r.seller_id,
      sum: Number(r.stars_sum),
      count: Number(r.review_count),
    }));
  }

  async recomputeSellers(): Promise<number> {
    // The products' summaries changed in this transaction are read from the table: write them first.
    await this.em.flush();
    const sellers = await this.em.execute<unknown[]>(SELLER_TOTALS_SQL);
    const orphans = await this.em.execute<unknown[]>(ZERO_ORPHAN_SELLERS_SQL);
    return sellers.length + orphans.length;
  }
}

/** Products whose stored summary differs from their published reviews (including summaries left without any). */
const DRIFT_SQL = `
  with truth as (
    select product_id, seller_id, sum(stars)::int as stars_sum, count(*)::int as review_count
    from review where status = 'PUBLISHED' group by product_id, seller_id
  )
  select coalesce(t.product_id, r.product_id) as product_id, coalesce(t.seller_id, r.seller_id) as seller_id,
    coalesce(t.stars_sum, 0) as stars_sum, coalesce(t.review_count, 0) as review_count
  from truth t full join product_rating r on r.product_id = t.product_id
  where (t.stars_sum, t.review_count) is distinct from (r.stars_sum, r.review_count)
    and not (t.product_id is null and r.review_count = 0)`;

/** The sellers' totals are the sums of their products' summaries, recomputed whole. */
const SELLER_TOTALS_SQL = `
  with totals as (
    select seller_id, sum(stars_sum) as stars_sum, sum(review_count) as review_count
    from product_rating group by seller_id
  )
  insert into seller_rating (seller_id, stars_sum, review_count)
  select seller_id, stars_sum, review_count from totals
  on conflict (seller_id) do update set stars_sum = excluded.stars_sum, review_count = excluded.review_count
  where (seller_rating.stars_sum, seller_rating.review_count) is distinct from (excluded.stars_sum, excluded.review_count)
  returning seller_id`;

const ZERO_ORPHAN_SELLERS_SQL = `
  update seller_rating s set stars_sum = 0, review_count = 0
  where review_count <> 0 and not exists (select 1 from product_rating p where p.seller_id = s.seller_id)
  returning seller_id`;

export class SqlPurchaseLedger implements PurchaseLedger {
  constructor(private readonly em: EntityManager) {}

  async latestDelivered(buyerId: string, productId: string): Promise<Purchase | null> {
    // A line counts as received only when its own seller's parcel was delivered: an order that
    // completes says nothing about sub-orders refunded or cancelled before they shipped.
    const [row] = await this.em.execute<{ order_id: string; seller_id: string; sub_order_id: string }[]>(
      `select l.order_id, l.seller_id, d.sub_order_id
       from purchase_line l
       join delivered_sub_order d on d.order_id = l.order_id and d.seller_id = l.seller_id
       where l.buyer_id = ? and l.product_id = ?
       order by d.delivered_at desc, l.order_id desc
       limit 1`,
      [buyerId, productId],
    );
    return row
      ? { buyerId, productId, sellerId: row.seller_id, orderId: row.order_id, subOrderId: row.sub_order_id }
      : null;
  }

  async recordLines(lines: readonly PurchasedLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.em.execute(
      `insert into purchase_line (line_id, order_id, buyer_id, product_id, seller_id)
       values ${lines.map(() => '(?, ?, ?, ?, ?)').join(', ')} on conflict (line_id) do nothing`,
      lines.flatMap((l) => [l.lineId, l.orderId, l.buyerId, l.productId, l.sellerId]),
    );
  }

  async recordDelivery(d: {
    orderId: string;
    sellerId: string;
    subOrderId: string;
    at: Date;
  }): Promise<void> {
    await this.em.execute(
      `insert into delivered_sub_order (order_id, seller_id, sub_order_id, delivered_at) values (?, ?, ?, ?)
       on conflict (order_id, seller_id) do nothing`,
      [d.orderId, d.sellerId, d.subOrderId, d.at],
    );
  }
}

/** The reviews use cases' context, for requests and consumed messages alike. */
export const reviewsUseCases = defineUseCases({
  producer: 'reviews',
  repositories: (em): ReviewsRepositories => ({
    reviews: new MikroReviewRepository(em),
    ratings: new MikroRatingRepository(em),
    purchases: new SqlPurchaseLedger(em),
  }),
  extras: () => ({ clock: systemClock }),
});

/** A product's published reviews, newest first, keyset-paginated on the time-ordered id. */
export function publishedReviewsOf(
  em: EntityManager,
  productId: string,
  beforeId: string | null,
  limit: number,
): Promise<Review[]> {
  const where = storedWhere(Review, ReviewSchema, {
    productId,
    _status: 'PUBLISHED',
    ...(beforeId ? { id: { $lt: beforeId } } : {}),
  });
  return em.find(Review, where, { orderBy: { id: 'desc' }, limit });
}

/** Totals of many products in one statement; products without reviews are absent. */
export async function productTotals(
  em: EntityManager,
  productIds: readonly string[],
): Promise<Map<string, RatingTotals>> {
  const rows = await em.execute<{ id: string; stars_sum: number; review_count: number }[]>(
    `select product_id as id, stars_sum, review_count from product_rating
     where product_id in (${placeholders(productIds.length)})`,
    [...productIds],
  );
  return new Map(rows.map((r) => [r.id, { sum: Number(r.stars_sum), count: Number(r.review_count) }]));
}

/** Totals of many sellers in one statement; sellers without reviews are absent. */
export async function sellerTotals(
  em: EntityManager,
  sellerIds: readonly string[],
): Promise<Map<string, RatingTotals>> {
  const rows = await em.execute<{ id: string; stars_sum: string; review_count: string }[]>(
    `select seller_id as id, stars_sum, review_count from seller_rating
     where seller_id in (${placeholders(sellerIds.length)})`,
    [...sellerIds],
  );
  return new Map(rows.map((r) => [r.id, { sum: Number(r.stars_sum), count: Number(r.review_count) }]));
}
