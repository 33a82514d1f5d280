import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createKafka, loadConfig } from '@marketplace/platform';
import { startMarketplace, uniqueSuffix } from '@marketplace/platform/testing';
import type { Scenario } from '../lib/scenario.js';
import { median, percentile } from '../lib/stats.js';
import { table, verdict } from '../lib/markdown.js';
import {
  fmt,
  waitForStackToCatchUp,
  sleep,
  UNLIMITED_BUDGETS_ENV,
  withServiceOutput,
  skipHistory,
} from '../lib/bench-support.js';
import { eventually, marketplaceClient } from '../lib/marketplace-client.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PRODUCTS = 100;

interface FreshnessRun {
  offeredPerSecond: number;
  updates: number;
  seen: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The updateProduct round trip alone (commit included), p95. */
  mutationP95: number;
  /** From the mutation's answer (committed) to searchable, p95. */
  fromCommitP95: number;
}

interface RebuildRun {
  docs: number;
  /** The bulk phase's own rate, as the rebuild prints it. */
  bulkDocsPerSecond: number;
  /** Documents ÷ the whole rebuild (catalog read, bulk write, refresh, alias swap). */
  overallDocsPerSecond: number;
  elapsedMs: number;
}

/** Which of `ids` a search (so only refreshed, searchable documents) finds, with their names. */
async function searchableNames(es: string, alias: string, ids: string[]): Promise<Map<string, string>> {
  const res = await fetch(`${es}/${alias}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: ids.length, _source: ['name'], query: { ids: { values: ids } } }),
  });
  const body = (await res.json()) as { hits: { hits: { _id: string; _source: { name: string } }[] } };
  return new Map(body.hits.hits.map((h) => [h._id, h._source.name]));
}

function runRebuild(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['subgraphs/search/dist/rebuild.js'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export const scenario: Scenario = {
  id: '5-search-freshness',
  title: 'Search freshness',
  async run({ runs, durationSeconds, log }) {
    const suffix = uniqueSuffix();
    const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
    const stackName = `bench${word}`;
    const alias = `products-e2e-${stackName}`;
    const es = loadConfig().elasticsearchUrl;
    const admin = { email: `admin-${word}@bench.example.com`, password: 'Bench-search-admin-42' };
    log('search freshness: starting accounts, products, inventory and search');
    // Consumers start at the end of the shared topics rather than replaying their history.
    log(
      `skipping the topics' history for ${await skipHistory(createKafka(`bench-${suffix}`, loadConfig().kafkaBrokers), stackName)} consumer groups`,
    );
    const market = await startMarketplace(
      stackName,
      {
        ACCOUNTS_ADMIN_EMAIL: admin.email,
        ACCOUNTS_ADMIN_PASSWORD: admin.password,
        LOG_LEVEL: 'error',
        ...UNLIMITED_BUDGETS_ENV,
      },
      ['accounts', 'products', 'inventory', 'search'],
    );
    const client = marketplaceClient(market.gatewayUrl, word);
    const freshness: FreshnessRun[] = [];
    const rebuilds: RebuildRun[] = [];
    try {
      const adminToken = await client.login(admin.email, admin.password);
      const seller = await client.registerSeller('search');
      await client.approveStore(seller.storeId, adminToken);
      const category = await client.createCategory('Search bench', adminToken);
      const products: string[] = [];
      for (let i = 0; i < PRODUCTS; i += 10) {
        products.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, (_, j) =>
              client.createProduct(seller.token, {
                name: `Fresh ${word} ${i + j} v0`,
                categoryId: category,
                variants: [{ sku: `SF-${word}-${i + j}`.toUpperCase(), amount: 1500 + i + j }],
              }),
            ),
          )),
        );
      }
      for (let i = 0; i < PRODUCTS; i += 10)
        await Promise.all(products.slice(i, i + 10).map((id) => client.publish(id, seller.token)));
      // A new consumer group first replays the products topic's history; wait until it has caught up.
      log('search freshness: waiting for the indexer to catch up');
      await eventually(
        async () => (await searchableNames(es, alias, products)).size === PRODUCTS,
        'every seeded product is searchable',
        600_000,
      );
      // ... and every consumer of the stack has replayed the shared topics' history.
      await waitForStackToCatchUp(
        createKafka(`bench-search-${suffix}`, loadConfig().kafkaBrokers),
        stackName,
        log,
      );

      const offered = Number(process.env.BENCH_SEARCH_RATE ?? 20);
      let version = 0;
      for (let run = 0; run < runs; run++) {
        version++;
        const pending = new Map<string, { seq: number; sentAt: number; committedAt?: number }[]>();
        const latencies: number[] = [];
        const fromCommit: number[] = [];
        const mutations: number[] = [];
        let updates = 0;
        let observing = true;
        let observeDeadline = Number.POSITIVE_INFINITY;
        // The observer searches for every product with an update not yet seen, 20 times a second.
        const observer = (async () => {
          while (observing || [...pending.values()].some((l) => l.length > 0)) {
            const ids = [...pending].filter(([, l]) => l.length > 0).map(([id]) => id);
            if (ids.length > 0) {
              const names = await searchableNames(es, alias, ids);
              const now = Date.now();
              for (const id of ids) {
                const seq = Number(/ s(\d+)$/.exec(names.get(id) ?? '')?.[1] ?? -1);
                const list = pending.get(id)!;
                while (list.length > 0 && list[0]!.seq <= seq) {
                  const seen = list.shift()!;
                  latencies.push(now - seen.sentAt);
                  if (seen.committedAt !== undefined) fromCommit.push(now - seen.committedAt);
                }
              }
            }
            if (!observing && Date.now() > observeDeadline) break;
            await sleep(50);
          }
        })();
        const started = Date.now();
        const inFlight = new Set<Promise<void>>();
        for (let next = started; Date.now() < started + durationSeconds * 1000; next += 1000 / offered) {
          const wait = next - Date.now();
          if (wait > 0) await sleep(wait);
          const seq = updates++;
          const id = products[seq % PRODUCTS]!;
          const sentAt = Date.now();
          const list = pending.get(id) ?? [];
          const entry: { seq: number; sentAt: number; committedAt?: number } = { seq, sentAt };
          list.push(entry);
          pending.set(id, list);
          const p = client
            .call(
              `mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
                ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
              { input: { productId: id, name: `Fresh ${word} v${version} s${seq}` } },
              seller.token,
            )
            .then((r) => {
              if (!r.product) throw new Error(`updateProduct: ${JSON.stringify(r)}`);
              entry.committedAt = Date.now();
              mutations.push(entry.committedAt - sentAt);
            });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        await Promise.all(inFlight);
        observeDeadline = Date.now() + 30_000;
        observing = false;
        await observer;
        const lost = [...pending.values()].reduce((n, l) => n + l.length, 0);
        freshness.push({
          offeredPerSecond: offered,
          updates,
          seen: updates - lost,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          max: Math.max(...latencies),
          mutationP95: percentile(mutations, 95),
          fromCommitP95: percentile(fromCommit, 95),
        });
        log(`search freshness run ${run + 1}: ${JSON.stringify(freshness.at(-1))}`);
      }

      for (let run = 0; run < runs; run++) {
        const { code, output } = await runRebuild({
          PRODUCTS_URL: `http://127.0.0.1:${market.ports.products}/graphql`,
          SEARCH_DB: `mp_e2e_search_${stackName}`,
          SEARCH_INDEX_ALIAS: alias,
        });
        const done = /(\d+) docs indexed.* in (\d+) ms/.exec(output);
        const bulk = [...output.matchAll(/index: \d+\/\S+ docs \((\d+) docs\/s\)/g)].at(-1);
        if (code !== 0 || !done) throw new Error(`rebuild failed (${code}): ${output.slice(-2000)}`);
        const docs = Number(done[1]);
        const elapsedMs = Number(done[2]);
        rebuilds.push({
          docs,
          bulkDocsPerSecond: Number(bulk?.[1] ?? Number.NaN),
          overallDocsPerSecond: Math.round(docs / (elapsedMs / 1000)),
          elapsedMs,
        });
        log(`search rebuild run ${run + 1}: ${JSON.stringify(rebuilds.at(-1))}`);
      }
    } catch (error) {
      throw withServiceOutput(market, error);
    } finally {
      await market.stop();
    }

    const p95 = median(freshness.map((f) => f.p95));
    const summary = {
      offeredPerSecond: freshness[0]?.offeredPerSecond,
      p50: median(freshness.map((f) => f.p50)),
      p95,
      p99: median(freshness.map((f) => f.p99)),
      mutationP95: median(freshness.map((f) => f.mutationP95)),
      fromCommitP95: median(freshness.map((f) => f.fromCommitP95)),
      unseen: freshness.reduce((n, f) => n + f.updates - f.seen, 0),
      rebuildDocs: median(rebuilds.map((r) => r.docs)),
      bulkDocsPerSecond: median(rebuilds.map((r) => r.bulkDocsPerSecond)),
      overallDocsPerSecond: median(rebuilds.map((r) => r.overallDocsPerSecond)),
    };
    const markdown = [
      `A seller renames its ${PRODUCTS} published products through the gateway at a steady ${summary.offeredPerSecond} updates per second; an observer searches Elasticsearch (so only refreshed, searchable documents count) 20 times a second for each product with an update outstanding. Freshness is from sending \`updateProduct\` to the first search that returns the new name; products → Kafka → the search subgraph's consumer → Elasticsearch all run as in production. Then the search rebuild (\`subgraphs/search/dist/rebuild.js\`) re-indexes everything search holds into a new index and swaps the alias.`,
      '',
      table(
        ['measure', 'value'],
        [
          ['freshness p50 (ms)', fmt(summary.p50)],
          ['freshness p95 (ms)', fmt(p95)],
          ['freshness p99 (ms)', fmt(summary.p99)],
          ['of which the updateProduct round trip, p95 (ms)', fmt(summary.mutationP95)],
          ['committed → searchable p95 (ms)', fmt(summary.fromCommitP95)],
          ['updates never seen', summary.unseen],
          ['documents re-indexed', summary.rebuildDocs],
          ['bulk re-index (docs/s)', fmt(summary.bulkDocsPerSecond)],
          ['whole rebuild (docs/s)', fmt(summary.overallDocsPerSecond)],
        ],
      ),
      '',
      `- Target freshness p95 ≤ 2,000 ms: ${fmt(p95)} ms, ${verdict(p95 <= 2_000)}.`,
    ].join('\n');
    return { markdown, data: { summary, freshness, rebuilds } };
  },
};
