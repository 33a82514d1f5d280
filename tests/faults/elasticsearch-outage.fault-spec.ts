import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKafka, loadConfig } from '@marketplace/platform';
import { startMarketplace, uniqueSuffix, waitFor, type Marketplace } from '@marketplace/platform/testing';
import { journey } from '../e2e/journey.js';
import { privateElasticsearch, report, type PrivateServer } from './support/private-infra.js';

/*
 * Elasticsearch stopped while products are being created and changed, then started again: the
 * search index catches up with every product at its latest version, and nothing was
 * dead-lettered on the way. Runs a private Elasticsearch (the shared one serves other suites)
 * with the catalog part of the stack pointed at it.
 */

const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@faults.example.com`, password: 'Faults-admin-password-42' };
const alias = `products-e2e-${suffix}`;
const indexerDlt = `search.indexer.e2e-${suffix}.dlt`;
let es: PrivateServer | undefined;
let market: Marketplace | undefined;
const { call, login, registerSeller, approveStore } = journey(() => market!.gatewayUrl, word);

beforeAll(async () => {
  es = await privateElasticsearch();
  await es.start();
  market = await startMarketplace(
    suffix,
    {
      ELASTICSEARCH_URL: es.address,
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
    },
    ['accounts', 'products', 'search'],
  );
}, 420_000);

afterAll(async () => {
  await market?.stop();
  if (es) {
    await fetch(`${es.address}/${alias}*`, { method: 'DELETE' }).catch(() => undefined);
    await es.stop();
  }
}, 120_000);

/** The documents of these products in the private index: product id -> indexed product version. */
async function indexed(ids: string[]): Promise<Map<string, number>> {
  const res = await fetch(`${es!.address}/${alias}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      size: ids.length,
      _source: ['productId', 'productVersion'],
      query: { terms: { productId: ids } },
    }),
  });
  if (!res.ok) throw new Error(`search answered ${res.status}`);
  const body = (await res.json()) as {
    hits: { hits: { _source: { productId: string; productVersion: number } }[] };
  };
  return new Map(body.hits.hits.map((h) => [h._source.productId, h._source.productVersion]));
}

/**
 * Messages about these products the indexer sent to its dead-letter topic. (A fresh group
 * replays the shared topics, so it may dead-letter other suites' malformed messages too.)
 */
async function deadLettered(ids: Set<string>): Promise<number> {
  const kafka = createKafka(`faults-es-${suffix}`, loadConfig().kafkaBrokers);
  const adminClient = kafka.admin();
  await adminClient.connect();
  const offsets = (await adminClient.listTopics()).includes(indexerDlt)
    ? await adminClient.fetchTopicOffsets(indexerDlt)
    : [];
  await adminClient.disconnect();
  const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  if (total === 0) return 0;
  const consumer = kafka.consumer({ groupId: `faults-es-dlt-${suffix}` });
  let read = 0;
  let ours = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [indexerDlt], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        read += 1;
        if (ids.has(message.key?.toString() ?? '')) ours += 1;
      },
    });
    await waitFor(() => read >= total, 30_000, 100);
  } finally {
    await consumer.disconnect();
  }
  return ours;
}

describe('Elasticsearch stopped during indexing', () => {
  it('catches up after Elasticsearch starts again: nothing missing, nothing dead-lettered', async () => {
    const adminToken = await login(admin.email, admin.password);
    const seller = await registerSeller('indexer');
    await approveStore(seller.storeId, adminToken);

    /** Latest version of each product as products reported it. */
    const latest = new Map<string, number>();
    const create = async (i: number) => {
      const r = await call(
        `mutation($input: CreateProductInput!) { createProduct(input: $input) {
          ... on ProductPayload { product { id version } } ... on ErrorResult { code message } } }`,
        {
          input: {
            name: `Outage ${i} ${word}`,
            description: 'indexed around an Elasticsearch outage',
            variants: [
              {
                sku: `ES-${word}-${i}`.toUpperCase(),
                name: 'Standard',
                price: { amount: 1000 + i, currency: 'EUR' },
              },
            ],
          },
        },
        seller.token,
      );
      expect(r.product).toBeDefined();
      latest.set(r.product.id, r.product.version);
      return r.product.id as string;
    };
    const rename = async (id: string) => {
      const r = await call(
        `mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
          ... on ProductPayload { product { id version } } ... on ErrorResult { code message } } }`,
        { input: { productId: id, name: `Renamed ${id.slice(0, 8)} ${word}` } },
        seller.token,
      );
      expect(r.product).toBeDefined();
      latest.set(id, r.product.version);
    };

    const before = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i)));
    await waitFor(async () => (await indexed(before)).size === before.length, 60_000, 200);

    await es!.stop();
    const stoppedAt = Date.now();
    // While Elasticsearch is down: new products and changes to indexed ones.
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => create(10 + i)));
    await Promise.all(before.map(rename));
    await es!.start();
    const startedAt = Date.now();

    const all = [...latest.keys()];
    const caughtUp = async () => {
      const docs = await indexed(all);
      return all.every((id) => docs.get(id) === latest.get(id)) ? docs : undefined;
    };
    let docs: Map<string, number> | undefined;
    try {
      docs = await waitFor(caughtUp, 120_000, 250);
    } catch {
      docs = await indexed(all).catch(() => new Map<string, number>());
    }
    const converged = Date.now() - startedAt;
    const missing = all.filter((id) => !docs!.has(id)).length;
    const stale = all.filter((id) => docs!.has(id) && docs!.get(id) !== latest.get(id)).length;
    const dlt = await deadLettered(new Set(all));
    report('Elasticsearch stopped during indexing', {
      products: all.length,
      createdWhileDown: during.length,
      changedWhileDown: before.length,
      downMs: startedAt - stoppedAt,
      missing,
      stale,
      deadLettered: dlt,
      convergeMs: converged,
    });
    expect(missing).toBe(0);
    expect(stale).toBe(0);
    expect(dlt).toBe(0);
  }, 480_000);
});
