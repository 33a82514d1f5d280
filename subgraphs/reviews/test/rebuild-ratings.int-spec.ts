import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { testEnvelope, useSubgraph } from '@marketplace/platform/testing';
import { createReviewsService } from '../src/service.js';

const sut = useSubgraph(createReviewsService());
const { sql, service } = sut;
const send = (topic: string, ...messages: EventEnvelope[]) => sut.send(messages, { topic });

const rebuildCommand = (readModel: 'REVIEW_RATINGS' | 'SEARCH_INDEX', jobId = newId()) =>
  testEnvelope(
    'operations.rebuild-read-model',
    'RebuildJob',
    jobId,
    { jobId, readModel, requestedBy: newId() },
    { producer: 'operations' },
  );

/** The command went through the consumer (its inbox row commits with the handler's work). */
const handled = (envelope: EventEnvelope) => sut.handled(envelope);

const repliesTo = (jobId: string) =>
  sql<{ event_type: string; envelope: EventEnvelope }>(
    `select event_type, envelope from outbox where topic = 'operations.rebuilds' and message_key = ?`,
    [jobId],
  );

/** Inserts reviews as they are stored, in the caller's transaction. */
async function review(
  em: EntityManager,
  productId: string,
  sellerId: string,
  stars: number,
  status = 'PUBLISHED',
) {
  const now = new Date();
  await em.execute(
    `insert into review (id, buyer_id, product_id, seller_id, order_id, stars, status, hidden_reason, version,
       created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    [
      newId(),
      newId(),
      productId,
      sellerId,
      newId(),
      stars,
      status,
      status === 'HIDDEN' ? 'spam' : null,
      now,
      now,
    ],
  );
}

describe('reviews: rebuilding the ratings read model', () => {
  it('sets drifted summaries to what the published reviews say, announces them and replies', async () => {
    const seller = newId();
    const drifted = newId();
    const right = newId();
    const emptied = newId();
    // One transaction: a rebuild running meanwhile (this group also reads older commands from the
    // beginning of the shared topic) sees all of it or nothing.
    await (service.orm.em.fork() as EntityManager).transactional(async (em) => {
      await review(em, drifted, seller, 5);
      await review(em, drifted, seller, 4);
      await review(em, drifted, seller, 1, 'HIDDEN');
      await review(em, right, seller, 3);
      // Summaries as a bug (or a restore from an old backup) left them.
      await em.execute(
        `insert into product_rating (product_id, seller_id, stars_sum, review_count, version) values
         (?, ?, 2, 1, 4), (?, ?, 3, 1, 1), (?, ?, 10, 2, 2)`,
        [drifted, seller, right, seller, emptied, seller],
      );
      await em.execute(`insert into seller_rating (seller_id, stars_sum, review_count) values (?, 15, 4)`, [
        seller,
      ]);
    });

    const command = rebuildCommand('REVIEW_RATINGS');
    await send(Topics.operationsCommands, command);
    await handled(command);

    const ratings = await sql(
      `select product_id, stars_sum, review_count, version from product_rating where seller_id = ? order by stars_sum`,
      [seller],
    );
    expect(ratings).toEqual(
      expect.arrayContaining([
        { product_id: drifted, stars_sum: 9, review_count: 2, version: 5 },
        { product_id: right, stars_sum: 3, review_count: 1, version: 1 },
        { product_id: emptied, stars_sum: 0, review_count: 0, version: 3 },
      ]),
    );
    expect(
      await sql(`select stars_sum, review_count from seller_rating where seller_id = ?`, [seller]),
    ).toEqual([{ stars_sum: '12', review_count: '3' }]);
    // Each correction is announced like any other change; the right one is left alone.
    const announced = await sql<{ message_key: string; envelope: EventEnvelope }>(
      `select message_key, envelope from outbox where event_type = 'reviews.product-rating-changed'
       and message_key in (?, ?, ?) order by message_key`,
      [drifted, right, emptied],
    );
    expect(Object.fromEntries(announced.map((a) => [a.message_key, a.envelope.payload]))).toEqual({
      [drifted]: { productId: drifted, sellerId: seller, average: 4.5, count: 2, version: 5 },
      [emptied]: { productId: emptied, sellerId: seller, average: null, count: 0, version: 3 },
    });
    const [reply] = await repliesTo(command.aggregateId);
    expect(reply?.event_type).toBe('operations.rebuild-completed');
    expect(reply?.envelope.payload).toMatchObject({
      jobId: command.aggregateId,
      readModel: 'REVIEW_RATINGS',
      // 2, unless an older command of the topic ran in between and corrected them first.
      detail: expect.stringMatching(
        /^[0-2] product rating\(s\) corrected, \d+ seller rating\(s\) corrected$/,
      ),
    });
    expect(reply?.envelope.causationId).toBe(command.id);

    // A second rebuild finds nothing to correct.
    const again = rebuildCommand('REVIEW_RATINGS');
    await send(Topics.operationsCommands, again);
    await handled(again);
    const [second] = await repliesTo(again.aggregateId);
    expect(second?.envelope.payload).toMatchObject({
      detail: '0 product rating(s) corrected, 0 seller rating(s) corrected',
    });
  });

  it('leaves other read models to their owners, and does not run a stale command', async () => {
    const search = rebuildCommand('SEARCH_INDEX');
    const stale = rebuildCommand('REVIEW_RATINGS');
    stale.occurredAt = new Date(Date.now() - 60 * 60_000).toISOString();
    await send(Topics.operationsCommands, search, stale);
    await handled(search);
    await handled(stale);
    expect(await repliesTo(search.aggregateId)).toEqual([]);
    const [expired] = await repliesTo(stale.aggregateId);
    expect(expired?.event_type).toBe('operations.rebuild-failed');
    expect(expired?.envelope.payload).toMatchObject({ code: 'REBUILD.EXPIRED' });
  });
});
