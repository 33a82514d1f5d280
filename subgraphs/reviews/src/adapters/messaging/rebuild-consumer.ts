import { InvariantViolation } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendToOutbox, intFromEnv, type ConsumerDefinition } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { rebuildRatings, type RatingTruth } from '../../application/rebuild-ratings.js';
import { reviewsContext } from '../persistence/reviews-store.js';

/** Older commands are answered REBUILD.EXPIRED rather than run (see operations' README). */
export const REBUILD_COMMAND_TTL_MS = 15 * 60_000;

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

/**
 * Handles operations' `rebuild-read-model` command for REVIEW_RATINGS: recomputes the product
 * and seller ratings from the reviews, in the command's own transaction (aggregate queries on
 * reviews' own tables: seconds even for millions of reviews), and replies with the outcome.
 * Other read models are someone else's.
 */
export function rebuildRatingsConsumer(
  /** Commands older than this are answered REBUILD.EXPIRED (OPERATIONS_COMMAND_TTL_MS). */
  ttlMs = intFromEnv('OPERATIONS_COMMAND_TTL_MS', REBUILD_COMMAND_TTL_MS),
): ConsumerDefinition {
  const reply = (envelope: EventEnvelope, em: EntityManager, type: string, payload: object) =>
    appendToOutbox(
      em,
      [
        {
          type,
          version: 1,
          aggregateType: 'RebuildJob',
          aggregateId: (payload as { jobId: string }).jobId,
          occurredAt: new Date(),
          payload,
        },
      ],
      {
        producer: 'reviews',
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        traceparent: envelope.traceparent,
      },
    );

  return {
    groupId: 'reviews.operations',
    topics: [Topics.operationsCommands],
    handlers: {
      [contractKey('operations.rebuild-read-model', 1)]: async (envelope, em) => {
        const command = envelope.payload as PayloadOf<'operations.rebuild-read-model@1'>;
        if (command.readModel !== 'REVIEW_RATINGS') return;
        // An old command (a new consumer group reading the topic from the beginning) is not run again.
        if (Date.now() - Date.parse(envelope.occurredAt) > ttlMs) {
          reply(envelope, em, 'operations.rebuild-failed', {
            jobId: command.jobId,
            readModel: command.readModel,
            finishedAt: new Date().toISOString(),
            code: 'REBUILD.EXPIRED',
            message: 'asked too long ago; ask again',
          });
          return;
        }
        const rows =
          await em.execute<
            { product_id: string; seller_id: string; stars_sum: number; review_count: number }[]
          >(DRIFT_SQL);
        const truths: RatingTruth[] = rows.map((r) => ({
          productId: r.product_id,
          sellerId: r.seller_id,
          sum: Number(r.stars_sum),
          count: Number(r.review_count),
        }));
        const ctx = reviewsContext({
          actor: null,
          correlationId: envelope.correlationId,
          causationId: envelope.id,
          em,
        });
        const corrected = await rebuildRatings(truths, ctx);
        if (!corrected.ok) throw new InvariantViolation(corrected.error.code, corrected.error.message);
        const sellers = await em.execute<unknown[]>(SELLER_TOTALS_SQL);
        const orphans = await em.execute<unknown[]>(ZERO_ORPHAN_SELLERS_SQL);
        reply(envelope, em, 'operations.rebuild-completed', {
          jobId: command.jobId,
          readModel: command.readModel,
          finishedAt: new Date().toISOString(),
          detail: `${corrected.value} product rating(s) corrected, ${sellers.length + orphans.length} seller rating(s) corrected`,
        });
      },
    },
  };
}
