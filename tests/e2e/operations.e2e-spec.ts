import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { createKafka, ensureTopics, loadConfig } from '@marketplace/platform';
import {
  startMarketplace,
  testEnvelope,
  uniqueSuffix,
  type Marketplace,
} from '@marketplace/platform/testing';
import { runAdmin, type AdminIo } from '../../cli/src/admin.js';
import { eventually, journey } from './journey.js';

// The admin CLI through the gateway of a whole stack: the operations subgraph composed in, its
// admin-only API refused to a buyer, and read-model rebuilds run by their real owners.
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Operations-admin-passphrase-42' };
let market: Marketplace;
const kafka = createKafka(`ops-e2e-${suffix}`, loadConfig().kafkaBrokers);
const producer = kafka.producer();
const { registerBuyer } = journey(() => market.gatewayUrl, word);

/** Runs `marketplace admin …` in this process, as the admin unless a token is given. */
async function cli(args: string[], token?: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: AdminIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {
      GATEWAY_URL: market.gatewayUrl,
      ...(token
        ? { ADMIN_TOKEN: token }
        : { ACCOUNTS_ADMIN_EMAIL: admin.email, ACCOUNTS_ADMIN_PASSWORD: admin.password }),
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 300))),
  };
  const code = await runAdmin(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  await producer.connect();
  market = await startMarketplace(suffix, {
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
    OPERATIONS_DEAD_LETTER_REFRESH_MS: '500',
    // The stack's groups read the shared topics from the beginning: older runs' rebuild commands expire.
    OPERATIONS_COMMAND_TTL_MS: '30000',
  });
}, 300_000);

afterAll(async () => {
  await producer.disconnect();
  await market?.stop();
});

describe('marketplace admin', () => {
  it('lists, inspects and replays a dead letter of this stack, once', async () => {
    // What a consumer runner of this stack does when it gives up: the record on its group's
    // dead-letter topic with the dlt-* headers. The group and its original topic are this test's
    // own, so the replay reaches nobody else's consumers.
    const group = `ops-e2e.e2e-${suffix}`;
    const origin = `ops-e2e.${suffix}.ratings`;
    const productId = newId();
    const poison = testEnvelope('reviews.product-rating-changed', 'Product', productId, {
      productId,
      sellerId: newId(),
      average: 4,
      count: 1,
      version: 2,
    });
    await ensureTopics(kafka, [origin, `${group}.dlt`]);
    await producer.send({
      topic: `${group}.dlt`,
      acks: -1,
      messages: [
        {
          key: productId,
          value: JSON.stringify(poison),
          headers: {
            'dlt-code': 'RATINGS.BROKEN',
            'dlt-reason': 'projection bug',
            'dlt-consumer-group': group,
            'dlt-original-topic': origin,
            'dlt-original-partition': '1',
            'dlt-original-offset': '17',
            'dlt-attempts': '4',
            'dlt-failed-at': new Date().toISOString(),
          },
        },
      ],
    });

    const listed = await eventually(async () => {
      const r = await cli(['dead-letters', '--group', group, '--json']);
      const page = JSON.parse(r.out);
      return page.nodes.length === 1 ? page : undefined;
    }, 'the dead letter collected by operations');
    expect(listed.nodes[0]).toMatchObject({
      status: 'NEW',
      group,
      code: 'RATINGS.BROKEN',
      eventType: 'reviews.product-rating-changed',
      originalTopic: origin,
      attempts: 4,
    });
    const id = listed.nodes[0].id as string;
    const table = await cli(['dead-letters', '--group', group]);
    expect(table.out).toContain(id);

    const inspected = await cli(['dead-letter', id]);
    expect(inspected.code).toBe(0);
    expect(inspected.out).toContain(`origin     ${origin} [1] @17`);
    expect(inspected.out).toContain('reason     projection bug');
    expect(inspected.out).toContain(poison.id);

    const replayed = await cli(['replay', id, '--json']);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.out)).toMatchObject({ id, status: 'REPLAYED' });
    // The original record is back on its topic: same key, same envelope.
    const consumer = kafka.consumer({ groupId: `ops-e2e-reader-${suffix}` });
    const received: { key: string | null; value: object }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [origin], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString() ?? null, value: JSON.parse(message.value!.toString()) });
      },
    });
    try {
      await eventually(async () => received.length > 0, 'the replayed record');
    } finally {
      await consumer.disconnect();
    }
    expect(received).toEqual([{ key: productId, value: poison }]);

    expect(await cli(['replay', id])).toMatchObject({
      code: 1,
      err: expect.stringContaining('DEAD_LETTER.ALREADY_REPLAYED'),
    });
    expect(await cli(['dead-letter', newId()])).toMatchObject({
      code: 1,
      err: expect.stringContaining('no dead letter'),
    });
    expect(await cli(['saga', newId()])).toMatchObject({
      code: 1,
      err: expect.stringContaining('no checkout'),
    });
  }, 180_000);

  it('rebuilds the review ratings and the search index through their owners', async () => {
    const ratings = await cli(['rebuild', 'review-ratings', '--wait']);
    expect(ratings).toMatchObject({ code: 0, err: '' });
    expect(ratings.out).toMatch(/REVIEW_RATINGS SUCCEEDED/);
    expect(ratings.out).toMatch(/product rating\(s\) corrected/);

    // This stack's search also reads other runs' recent commands; while one of those rebuilds
    // runs, ours is refused (SEARCH.REBUILD_RUNNING) and asked again.
    let search = await cli(['rebuild', 'search-index', '--wait', '--json']);
    for (let attempt = 1; search.code !== 0 && attempt < 5; attempt++) {
      expect(search.out).toContain('SEARCH.REBUILD_RUNNING');
      await new Promise((r) => setTimeout(r, 2_000));
      search = await cli(['rebuild', 'search-index', '--wait', '--json']);
    }
    const job = JSON.parse(search.out);
    expect(job).toMatchObject({ readModel: 'SEARCH_INDEX', status: 'SUCCEEDED' });
    expect(job.detail).toMatch(/products indexed into /);
    const again = await cli(['rebuild-job', job.id]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.out).toContain(`rebuild job ${job.id}: SEARCH_INDEX SUCCEEDED`);
  }, 240_000);

  it('refuses a buyer, and explains its usage', async () => {
    const buyer = await registerBuyer('Nosy Buyer');
    for (const args of [['dead-letters'], ['replay', newId()], ['rebuild', 'search-index']]) {
      expect(await cli(args, buyer.token)).toMatchObject({
        code: 1,
        err: expect.stringContaining('AUTH.FORBIDDEN'),
      });
    }
    expect(await cli(['purge'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown admin command'),
    });
  }, 120_000);
});
