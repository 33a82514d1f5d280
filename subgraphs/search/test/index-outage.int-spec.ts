import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { newId } from '@marketplace/shared-kernel';
import { deadLetterTopic } from '@marketplace/event-contracts';
import {
  ConsumerRunner,
  connectProducer,
  KafkaBus,
  createKafka,
  createLogger,
  createOrm,
  ensureTopics,
  loadConfig,
  migrate,
  toEnvelope,
  type Orm,
  type Producer,
} from '@marketplace/platform';
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';
import { ProductIndex } from '../src/adapters/elasticsearch/product-index.js';
import { searchConsumers } from '../src/adapters/messaging/search-consumers.js';
import { searchMigrations } from '../src/adapters/persistence/search-state.migrations.js';
import type { ProductIndexWriter } from '../src/application/ports.js';

/*
 * Elasticsearch away is not the event's fault: the indexer waits for it instead of spending its
 * retries and dead-lettering the event (which would leave the product missing from search for
 * good). A document Elasticsearch refuses still goes to the dead-letter topic.
 */

const config = loadConfig();
const suffix = uniqueSuffix();
const groupId = `search.indexer.outage-${suffix}`;
const alias = `products-outage-${suffix}`;
const strictIndex = `products-outage-strict-${suffix}`;
const kafka = createKafka(`search-outage-${suffix}`, config.kafkaBrokers);
let orm: Orm;
let producer: Producer;
let live: ProductIndex;
let unreachable: ProductIndex;
let refusing: ProductIndex;
let target: ProductIndexWriter;
let runner: ConsumerRunner;
let offset = 0;

/** A raw Kafka message as the runner receives it. */
type KafkaMessage = Parameters<ConsumerRunner['handle']>[2];

/** A port nothing listens on: connections are refused, as when Elasticsearch is stopped. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function productCreated(productId: string): KafkaMessage {
  const envelope = toEnvelope(
    {
      type: 'products.product-created',
      version: 2,
      aggregateType: 'Product',
      aggregateId: productId,
      occurredAt: new Date(),
      payload: {
        productId,
        sellerId: newId(),
        version: 1,
        snapshot: {
          name: `Outage lamp ${suffix}`,
          slug: `outage-lamp-${suffix}`,
          description: 'written while Elasticsearch was away',
          status: 'PUBLISHED',
          categoryId: null,
          categoryPath: [],
          attributes: [],
          images: [],
          variants: [
            {
              variantId: newId(),
              sku: `OUT-${suffix}`.toUpperCase(),
              name: 'Standard',
              attributes: [],
              price: { amount: 1000, currency: 'EUR' },
            },
          ],
        },
      },
    },
    { producer: 'products', correlationId: newId() },
  );
  offset += 1;
  return {
    key: Buffer.from(productId),
    value: Buffer.from(JSON.stringify(envelope)),
    offset: String(offset),
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
    size: 0,
  } as KafkaMessage;
}

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_search_outage_${suffix}`,
    entities: [],
    migrations: searchMigrations,
  });
  await migrate(orm);
  await ensureTopics(kafka, [deadLetterTopic(groupId)]);
  producer = await connectProducer(kafka);
  live = ProductIndex.connect(config.elasticsearchUrl, alias);
  await live.ensure();
  // No client-side retries, so each refused connection fails at once.
  unreachable = new ProductIndex(
    new Client({ node: `http://127.0.0.1:${await closedPort()}`, maxRetries: 0 }),
    alias,
  );
  // An index whose strict, empty mapping refuses every document: a write that can never succeed.
  await live.client.indices.create({ index: strictIndex, mappings: { dynamic: 'strict', properties: {} } });
  refusing = ProductIndex.connect(config.elasticsearchUrl, strictIndex);
  const [definition] = searchConsumers(() => target, 50);
  runner = new ConsumerRunner({
    ...definition!,
    groupId,
    bus: new KafkaBus(kafka, producer),
    orm,
    logger: createLogger('search-outage-test'),
    // Spent within milliseconds: only waiting outside the retries survives an outage.
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 },
  });
});

afterAll(async () => {
  await live?.client.indices.delete({ index: `${alias}-*` }).catch(() => undefined);
  await live?.client.indices.delete({ index: strictIndex }).catch(() => undefined);
  await Promise.all([live?.close(), unreachable?.close(), refusing?.close()]);
  await producer?.disconnect();
  await orm?.close(true);
});

describe('search indexer while Elasticsearch is unavailable', () => {
  it('waits for Elasticsearch instead of dead-lettering, then indexes the product', async () => {
    let refusedWrites = 0;
    let heartbeats = 0;
    const heartbeatsBeforeWrite: number[] = [];
    /** Start of each consumer transaction that was open (and waiting on Elasticsearch) at a write. */
    const transactions = new Set<string>();
    target = {
      alias,
      write: async (targets, documents) => {
        refusedWrites += 1;
        heartbeatsBeforeWrite.push(heartbeats);
        const open = await orm.em.fork().execute<{ started: string }[]>(
          `select xact_start::text as started from pg_stat_activity
             where datname = current_database() and state = 'idle in transaction'`,
        );
        for (const { started } of open) transactions.add(started);
        return unreachable.write(targets, documents);
      },
    };
    const productId = newId();
    const outcome = runner.handle('products.product', 0, productCreated(productId), async () => {
      heartbeats += 1;
    });
    // Elasticsearch "comes back" only after more failed writes than the consumer's retries allow.
    const early = await Promise.race([
      outcome,
      waitFor(() => refusedWrites > 3, 30_000, 20).then(() => 'still waiting'),
    ]);
    expect(early).toBe('still waiting');
    target = live;
    expect(await outcome).toBe('processed');
    // The wait happens outside the transaction: every attempt ran in a new one (the failed ones
    // were rolled back, releasing locks, inbox row and connection), with a heartbeat before it.
    expect(transactions.size).toBe(refusedWrites);
    expect(heartbeatsBeforeWrite).toEqual(heartbeatsBeforeWrite.map((_, i) => i));
    const doc = await live.client.get<{ productId: string; status: string }>({ index: alias, id: productId });
    expect(doc._source).toMatchObject({ productId, status: 'PUBLISHED' });
    const [inbox] = await orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from inbox where consumer = ?', [groupId]);
    expect(inbox!.n).toBe(1);
  });

  it('still dead-letters a document Elasticsearch refuses', async () => {
    target = refusing;
    const productId = newId();
    expect(await runner.handle('products.product', 0, productCreated(productId))).toBe('dead-lettered');
    // Nothing of the refused message was kept: a replay after a fix starts from scratch.
    const [row] = await orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from search_product where product_id = ?', [
        productId,
      ]);
    expect(row!.n).toBe(0);
  });
});
