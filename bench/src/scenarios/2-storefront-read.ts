import { closedLoop } from '../lib/closed-loop.js';
import { medianRun, type LoadResult } from '../lib/load.js';
import { table, verdict } from '../lib/markdown.js';
import type { Scenario } from '../lib/scenario.js';
import { median as medianOf, ratio } from '../lib/stats.js';
import { directListing, gql, LISTING, LISTING_WITHOUT_RATING } from '../storefront/catalog.js';
import { startStorefront, STOREFRONT_SUBGRAPHS } from '../storefront/stack.js';

/** Virtual users of the throughput comparison; the added latency is measured with one. */
const CONCURRENCY = 20;

/**
 * A category page (20 products with price, stock, seller name and rating) through the
 * gateway and straight from the owning subgraphs, then with the gateway's response cache.
 * All sides use the same client (lib/closed-loop.ts) and alternate their order each run.
 */
export const scenario: Scenario = {
  id: '2-storefront-read',
  title: 'Storefront read (category listing)',
  async run({ runs, durationSeconds, log }) {
    const shop = await startStorefront(log, STOREFRONT_SUBGRAPHS);
    try {
      const variables = { categoryId: shop.categoryId };
      const subgraphUrls = {
        products: shop.subgraphUrl('products'),
        inventory: shop.subgraphUrl('inventory'),
        accounts: shop.subgraphUrl('accounts'),
        reviews: shop.subgraphUrl('reviews'),
      };
      const viaGateway =
        (url: string, query = LISTING) =>
        async () => {
          const body = await gql(url, query, variables);
          if (body.errors?.length) throw new Error(JSON.stringify(body.errors).slice(0, 300));
        };
      const modes = {
        gateway: viaGateway(shop.gatewayUrl),
        direct: directListing(subgraphUrls, shop.categoryId),
        cached: viaGateway(shop.cachedGatewayUrl),
        gatewayNoRating: viaGateway(shop.gatewayUrl, LISTING_WITHOUT_RATING),
        cachedNoRating: viaGateway(shop.cachedGatewayUrl, LISTING_WITHOUT_RATING),
      };
      // Whether the page is cacheable at all: the gateway passes on the subgraphs' verdict.
      const probe = await fetch(shop.cachedGatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LISTING, variables }),
      });
      const listingCacheControl = probe.headers.get('cache-control') ?? '(none)';
      const responseBytes = (await probe.text()).length;
      const subgraphCacheControl: Record<string, string[]> = {};
      await directListing(subgraphUrls, shop.categoryId, (name, value) => {
        subgraphCacheControl[name] = [...(subgraphCacheControl[name] ?? []), value];
      })();
      log(
        `listing ${responseBytes} bytes, cache-control: ${listingCacheControl}; per subgraph call: ${JSON.stringify(subgraphCacheControl)}`,
      );

      const latency: Record<'gateway' | 'direct', LoadResult[]> = { gateway: [], direct: [] };
      const throughput: Record<keyof typeof modes, LoadResult[]> = {
        gateway: [],
        direct: [],
        cached: [],
        gatewayNoRating: [],
        cachedNoRating: [],
      };
      const throughputModes = Object.keys(throughput) as (keyof typeof modes)[];
      for (let i = 0; i < runs; i++) {
        const pair = i % 2 === 0 ? (['gateway', 'direct'] as const) : (['direct', 'gateway'] as const);
        for (const mode of pair) {
          const r = await closedLoop({ concurrency: 1, durationSeconds, iteration: modes[mode] });
          latency[mode].push(r);
          log(`run ${i + 1} latency ${mode}: p50 ${r.p50} ms, p99 ${r.p99} ms (${r.errors} errors)`);
        }
        for (const mode of i % 2 === 0 ? throughputModes : [...throughputModes].reverse()) {
          const r = await closedLoop({ concurrency: CONCURRENCY, durationSeconds, iteration: modes[mode] });
          throughput[mode].push(r);
          log(`run ${i + 1} throughput ${mode}: ${r.rps} req/s (${r.errors} errors)`);
        }
      }
      const lat = { gateway: medianByP50(latency.gateway), direct: medianByP50(latency.direct) };
      const thr = {
        gateway: medianRun(throughput.gateway),
        direct: medianRun(throughput.direct),
        cached: medianRun(throughput.cached),
        gatewayNoRating: medianRun(throughput.gatewayNoRating),
        cachedNoRating: medianRun(throughput.cachedNoRating),
      };
      const noRatingRatio = ratio(thr.cachedNoRating.rps, thr.gatewayNoRating.rps);
      // Paired: each run's gateway and direct measurements follow each other, so their
      // difference is the least disturbed by whatever else the machine did meanwhile.
      const pairedDifference = (key: 'p50' | 'p99') =>
        round2(medianOf(latency.gateway.map((g, i) => g[key] - latency.direct[i]![key])));
      const added = { p50: pairedDifference('p50'), p99: pairedDifference('p99') };
      const cachedRatio = ratio(thr.cached.rps, thr.gateway.rps);
      const met = { p50: added.p50 <= 2, p99: added.p99 <= 5, cache: cachedRatio >= 3 };
      const markdown = [
        `A category page of 20 products (price range, per-variant price and stock, seller name, rating: ${responseBytes} bytes) on the marketplace stack (the gateway and the accounts, products, inventory and reviews subgraphs as separate processes, each with its own Postgres database; Kafka, Redis). "Direct" makes the calls of the gateway's plan itself: the page from products, then in parallel inventory (product and variant stock), accounts (sellers) and reviews (ratings) \`_entities\`. Median of ${runs} alternating runs of ${durationSeconds} s; same client for all modes.`,
        '',
        '**Added latency** (1 virtual user; each path its median run; "gateway adds" is the median of the per-run differences, gateway minus direct, measured back to back):',
        '',
        table(
          ['Path', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
          [
            [
              'through the gateway',
              lat.gateway.rps,
              lat.gateway.p50,
              lat.gateway.p95,
              lat.gateway.p99,
              lat.gateway.errors,
            ],
            [
              'direct to the subgraphs',
              lat.direct.rps,
              lat.direct.p50,
              lat.direct.p95,
              lat.direct.p99,
              lat.direct.errors,
            ],
            ['gateway adds', '', added.p50, '', added.p99, ''],
          ],
        ),
        '',
        `- Target added latency ≤ 2 ms at p50: ${verdict(met.p50)} (${added.p50} ms)`,
        `- Target added latency ≤ 5 ms at p99: ${verdict(met.p99)} (${added.p99} ms)`,
        '',
        `**Throughput** (${CONCURRENCY} virtual users):`,
        '',
        table(
          ['Path', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
          [
            [
              'gateway, response cache off',
              thr.gateway.rps,
              thr.gateway.p50,
              thr.gateway.p99,
              thr.gateway.errors,
            ],
            ['direct to the subgraphs', thr.direct.rps, thr.direct.p50, thr.direct.p99, thr.direct.errors],
            ['gateway, response cache on', thr.cached.rps, thr.cached.p50, thr.cached.p99, thr.cached.errors],
            [
              'without rating: gateway, cache off',
              thr.gatewayNoRating.rps,
              thr.gatewayNoRating.p50,
              thr.gatewayNoRating.p99,
              thr.gatewayNoRating.errors,
            ],
            [
              'without rating: gateway, cache on',
              thr.cachedNoRating.rps,
              thr.cachedNoRating.p50,
              thr.cachedNoRating.p99,
              thr.cachedNoRating.errors,
            ],
          ],
        ),
        '',
        `Cached / uncached gateway throughput: ${cachedRatio}x. The listing's Cache-Control through the gateway: \`${listingCacheControl}\`; from each subgraph call of its plan: ${Object.entries(
          subgraphCacheControl,
        )
          .map(([name, values]) => `${name} \`${values.join('`, `')}\``)
          .join('; ')} (the gateway caches a page only if every part is public with a positive max age).`,
        '',
        `- Target cached ≥ 3x uncached throughput: ${verdict(met.cache)}`,
        '',
        `The same page without \`rating\`, i.e. without the reviews subgraph's share: cached / uncached ${noRatingRatio}x.`,
      ].join('\n');
      return {
        markdown,
        data: {
          responseBytes,
          listingCacheControl,
          subgraphCacheControl,
          concurrency: CONCURRENCY,
          latency,
          throughput,
          median: { lat, thr },
          added,
          cachedRatio,
          noRatingRatio,
          met,
        },
      };
    } finally {
      await shop.stop();
    }
  },
};

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The run with the median p50 (latency runs are compared on latency, not throughput). */
function medianByP50(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.p50 - b.p50);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
