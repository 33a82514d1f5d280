import { closedLoop } from '../lib/closed-loop.js';
import { table } from '../lib/markdown.js';
import { sampleRss, type RssSummary } from '../lib/processes.js';
import type { Scenario } from '../lib/scenario.js';
import { gql, LISTING } from '../storefront/catalog.js';
import { startStorefront } from '../storefront/stack.js';

const CONCURRENCY = 20;
const IDLE_SECONDS = 5;

/**
 * Resident memory (RSS) of every process of the stack, idle after seeding and while
 * scenario 2's listing runs through the (uncached) gateway.
 */
export const scenario: Scenario = {
  id: '7-memory',
  title: 'Memory (RSS per process)',
  async run({ durationSeconds, log }) {
    const shop = await startStorefront(log);
    try {
      const pids = Object.fromEntries(
        [...shop.stack.processes].map(([name, proc]) => [name, proc.child.pid!]),
      );
      log(`sampling ${Object.keys(pids).length} processes idle for ${IDLE_SECONDS} s`);
      // Let the seeding's consumers and relays settle first.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const idleSampler = sampleRss(pids);
      await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
      const idle = await idleSampler.stop();

      log(`sampling under the listing load (${CONCURRENCY} virtual users, ${durationSeconds} s)`);
      const loadSampler = sampleRss(pids);
      const variables = { categoryId: shop.categoryId };
      const load = await closedLoop({
        concurrency: CONCURRENCY,
        durationSeconds,
        iteration: async () => {
          const body = await gql(shop.gatewayUrl, LISTING, variables);
          if (body.errors?.length) throw new Error(JSON.stringify(body.errors).slice(0, 300));
        },
      });
      const loaded = await loadSampler.stop();

      const names = Object.keys(pids).sort(byRole);
      const total = (s: RssSummary, key: 'mean' | 'peak') =>
        Math.round(names.reduce((sum, n) => sum + (s[n]?.[key] ?? 0), 0));
      const markdown = [
        `RSS from /proc/<pid>/status of every process of the stack (one Node process each), idle for ${IDLE_SECONDS} s after seeding, then during ${durationSeconds} s of scenario 2's listing through the gateway at ${CONCURRENCY} virtual users (${load.rps} req/s, ${load.errors} errors). The benchmark client is not counted.`,
        '',
        table(
          ['Process', 'idle MiB', 'under load, mean MiB', 'under load, peak MiB'],
          [
            ...names.map((n) => [
              n,
              idle[n]?.mean ?? Number.NaN,
              loaded[n]?.mean ?? Number.NaN,
              loaded[n]?.peak ?? Number.NaN,
            ]),
            ['**total**', total(idle, 'mean'), total(loaded, 'mean'), total(loaded, 'peak')],
          ],
        ),
      ].join('\n');
      return { markdown, data: { idle, loaded, load, concurrency: CONCURRENCY, idleSeconds: IDLE_SECONDS } };
    } finally {
      await shop.stop();
    }
  },
};

/** The gateway first, then the subgraphs the listing touches, then the rest by name. */
function byRole(a: string, b: string): number {
  const order = ['gateway', 'products', 'inventory', 'accounts', 'reviews'];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}
