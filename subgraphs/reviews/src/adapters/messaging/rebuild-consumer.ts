import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { intFromEnv, type ConsumerDefinition, type UseCases } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { rebuildRatings, type RatingsRebuilt } from '../../application/rebuild-ratings.js';
import type { ReviewsContext } from '../../application/ports.js';

/** Older commands are answered REBUILD.EXPIRED rather than run (see operations' README). */
export const REBUILD_COMMAND_TTL_MS = 15 * 60_000;

const EXPIRED = 'REBUILD.EXPIRED';

/**
 * Handles operations' `rebuild-read-model` command for REVIEW_RATINGS: recomputes the product
 * and seller ratings from the reviews, in the command's own transaction (aggregate queries on
 * reviews' own tables: seconds even for millions of reviews), and replies with the outcome.
 * Other read models are someone else's: no reply.
 */
export function rebuildRatingsConsumer(
  uc: UseCases<ReviewsContext>,
  /** Commands older than this are answered REBUILD.EXPIRED (OPERATIONS_COMMAND_TTL_MS). */
  ttlMs = intFromEnv('OPERATIONS_COMMAND_TTL_MS', REBUILD_COMMAND_TTL_MS),
): ConsumerDefinition {
  return {
    groupId: 'reviews.operations',
    topics: [Topics.operationsCommands],
    handlers: uc.on('operations.rebuild-read-model@1', {
      run: (command, ctx, envelope): Promise<Result<RatingsRebuilt | null>> => {
        if (command.readModel !== 'REVIEW_RATINGS') return Promise.resolve(ok(null));
        // An old command (a new consumer group reading the topic from the beginning) is not run again.
        if (Date.now() - Date.parse(envelope.occurredAt) > ttlMs)
          return Promise.resolve(err(domainError(EXPIRED, 'asked too long ago; ask again')));
        return rebuildRatings(ctx);
      },
      reply: (outcome, { jobId, readModel }) => {
        const about = { aggregateType: 'RebuildJob', aggregateId: jobId };
        const finishedAt = new Date().toISOString();
        if (!outcome.ok)
          return outcome.error.code === EXPIRED
            ? {
                contract: 'operations.rebuild-failed@1',
                ...about,
                payload: { jobId, readModel, finishedAt, code: EXPIRED, message: outcome.error.message },
              }
            : null;
        if (outcome.value === null) return null;
        const { products, sellers } = outcome.value;
        return {
          contract: 'operations.rebuild-completed@1',
          ...about,
          payload: {
            jobId,
            readModel,
            finishedAt,
            detail: `${products} product rating(s) corrected, ${sellers} seller rating(s) corrected`,
          },
        };
      },
    }),
  };
}
