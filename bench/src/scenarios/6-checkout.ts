import { createKafka, intFromEnv, loadConfig } from '@marketplace/platform';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import type { Scenario } from '../lib/scenario.js';
import { median, percentile } from '../lib/stats.js';
import { table, verdict } from '../lib/markdown.js';
import {
  cpuDuring,
  fmt,
  sleep,
  UNLIMITED_BUDGETS_ENV,
  waitForStackToCatchUp,
  withServiceOutput,
  skipHistory,
} from '../lib/bench-support.js';
import { marketplaceClient, type MarketplaceClient } from '../lib/marketplace-client.js';

const ADDRESS = {
  fullName: 'Bench Buyer',
  line1: 'Hauptstrasse 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
const CHECKOUT = `id status orderId failure { code } timeline { at step event }`;

interface TimelineEntry {
  at: string;
  step: string | null;
  event: string;
}
interface Settled {
  status: 'COMPLETED' | 'FAILED';
  failure: { code: string } | null;
  timeline: TimelineEntry[];
}

interface CheckoutSample {
  /** placeOrder sent → CONFIRM_ORDER's reply recorded (the order is confirmed). */
  toConfirmedMs: number;
  /** placeOrder sent → saga COMPLETED (cart cleared too). */
  toCompletedMs: number;
  timeline: TimelineEntry[];
}

interface LoadRun {
  buyers: number;
  seconds: number;
  completed: number;
  failed: number;
  perSecond: number;
  confirmedP50: number;
  confirmedP99: number;
  completedP50: number;
  completedP99: number;
  /** Median per saga step: command sent → reply received, ms. */
  stepMs: Record<string, number>;
  /** CPU milliseconds per completed checkout, per process (`bench` is this load generator). */
  cpuMsPerCheckout: Record<string, number>;
}

/**
 * How often a waiting buyer asks for the checkout's outcome. The latency is read from the saga's
 * own timeline, so this only sets the load the waiting adds (every poll is a gateway request and
 * a read of the saga, on the same CPUs as the stack).
 */
const POLL_MS = intFromEnv('BENCH_CHECKOUT_POLL_MS', 150);

/** Seconds of load before the first measured level (`BENCH_CHECKOUT_WARM_UP_SECONDS`; 0: none). */
const WARM_UP_SECONDS = intFromEnv('BENCH_CHECKOUT_WARM_UP_SECONDS', 15);

/** Rejections a buyer can get that the scenario treats as "try again" rather than failure. */
const RETRYABLE = new Set(['CHECKOUT.CART_IN_CHECKOUT']);

async function placeAndSettle(
  client: MarketplaceClient,
  token: string,
  sku: string,
  key: string,
): Promise<{ sentAt: number; settled: Settled }> {
  const cartId = await client.addToCart(sku, 1, token);
  const sentAt = Date.now();
  const r = await client.call(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
      ... on CheckoutPayload { checkout { id } } ... on ErrorResult { code message } } }`,
    {
      input: {
        cartId,
        shippingAddress: ADDRESS,
        paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
        idempotencyKey: key,
      },
    },
    token,
  );
  if (!r.checkout) {
    if (RETRYABLE.has(r.code)) throw Object.assign(new Error(r.code), { retry: true });
    throw new Error(`placeOrder: ${JSON.stringify(r)}`);
  }
  const id = r.checkout.id as string;
  // A waiting buyer asks for the status only, as an app would; the timeline once, at the end.
  for (;;) {
    await sleep(POLL_MS);
    const { status } = (await client.call(`{ checkout(id: "${id}") { status } }`, {}, token)) as {
      status: string;
    };
    if (status === 'COMPLETED' || status === 'FAILED')
      return {
        sentAt,
        settled: (await client.call(`{ checkout(id: "${id}") { ${CHECKOUT} } }`, {}, token)) as Settled,
      };
  }
}

const when = (timeline: TimelineEntry[], step: string | null, event: string) => {
  const entry = timeline.find((e) => e.event === event && (step === null || e.step === step));
  return entry ? Date.parse(entry.at) : Number.NaN;
};

function stepDurations(samples: CheckoutSample[]): Record<string, number> {
  const perStep = new Map<string, number[]>();
  for (const { timeline } of samples) {
    const sent = new Map<string, number>();
    for (const e of timeline) {
      if (!e.step) continue;
      if (e.event === 'COMMAND_SENT' && !sent.has(e.step)) sent.set(e.step, Date.parse(e.at));
      if (e.event === 'REPLY_RECEIVED' && sent.has(e.step)) {
        const list = perStep.get(e.step) ?? [];
        list.push(Date.parse(e.at) - sent.get(e.step)!);
        perStep.set(e.step, list);
      }
    }
  }
  return Object.fromEntries([...perStep].map(([step, values]) => [step, median(values)]));
}

export const scenario: Scenario = {
  id: '6-checkout',
  title: 'Checkout',
  async run({ runs, durationSeconds, log }) {
    const suffix = uniqueSuffix();
    const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
    const admin = { email: `admin-${word}@bench.example.com`, password: 'Bench-checkout-admin-42' };
    log('checkout: starting the marketplace');
    // Consumers start at the end of the shared topics rather than replaying their history.
    log(
      `skipping the topics' history for ${await skipHistory(createKafka(`bench-${suffix}`, loadConfig().kafkaBrokers), `bench${word}`)} consumer groups`,
    );
    const market: Marketplace = await startMarketplace(
      `bench${word}`,
      (ports) => ({
        ACCOUNTS_ADMIN_EMAIL: admin.email,
        ACCOUNTS_ADMIN_PASSWORD: admin.password,
        PAYMENTS_SANDBOX_ENABLED: 'true',
        SANDBOX_WEBHOOK_SECRET: `whsec_sandbox_${word}`,
        SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ports.webhooks}/webhooks/sandbox`,
        LOG_LEVEL: 'error',
        ...UNLIMITED_BUDGETS_ENV,
      }),
      // Search, coupons and notifications take no part in a checkout without coupon codes.
      ['accounts', 'products', 'inventory', 'cart', 'checkout', 'orders', 'payments', 'shipping'],
    );
    const client = marketplaceClient(market.gatewayUrl, word);
    const loads: LoadRun[] = [];
    let stock: {
      sku: string;
      initial: number;
      sold: number;
      onHand: number;
      available: number;
      committed: number;
      reserved: number;
    }[];
    try {
      // A new stack's consumers first replay the shared topics' history; measure after that.
      await waitForStackToCatchUp(
        createKafka(`bench-${suffix}`, loadConfig().kafkaBrokers),
        `bench${word}`,
        log,
      );
      const adminToken = await client.login(admin.email, admin.password);
      const seller = await client.registerSeller('bench');
      await client.approveStore(seller.storeId, adminToken);
      const category = await client.createCategory('Bench', adminToken);
      // Buyers spread over ten SKUs (buyer i buys SKU i mod 10); the race is for one scarce SKU.
      const plentiful = Array.from({ length: 10 }, (_, i) => `BENCH-${word}-LAMP${i}`.toUpperCase());
      const scarce = `BENCH-${word}-LAST`.toUpperCase();
      const initial: Record<string, number> = {
        ...Object.fromEntries(plentiful.map((sku) => [sku, 1_000_000])),
        [scarce]: 10,
      };
      const productId = await client.createProduct(seller.token, {
        name: `Bench lamp ${word}`,
        categoryId: category,
        variants: [...plentiful.map((sku) => ({ sku, amount: 2500 })), { sku: scarce, amount: 9900 }],
      });
      for (const [sku, onHand] of Object.entries(initial)) await client.setStock(sku, onHand, seller.token);
      await client.publish(productId, seller.token);
      const levels = (process.env.BENCH_CHECKOUT_BUYERS ?? '20,50').split(',').map(Number);
      const buyers = await Promise.all(
        Array.from({ length: Math.max(...levels) }, (_, i) => client.registerBuyer(`buyer${i}`)),
      );
      const sold = new Map<string, number>();
      const count = (sku: string, s: Settled) => {
        if (s.status === 'COMPLETED') sold.set(sku, (sold.get(sku) ?? 0) + 1);
      };
      log('checkout: warming up (the carts learn the SKUs)');
      await Promise.all(
        buyers
          .slice(0, 5)
          .map(async (b, i) =>
            count(
              plentiful[i]!,
              (await placeAndSettle(client, b.token, plentiful[i]!, `warm-${i}-${word}`)).settled,
            ),
          ),
      );

      let sequence = 0;
      /** `level` buyers in a closed loop until `end`; each settled checkout goes to `settled`. */
      const drive = (level: number, end: number, settled: (s: Settled, sentAt: number) => void) =>
        Promise.all(
          buyers.slice(0, level).map(async (buyer, b) => {
            const sku = plentiful[b % plentiful.length]!;
            while (Date.now() < end) {
              const outcome = await placeAndSettle(client, buyer.token, sku, `bench-${sequence++}-${word}`);
              count(sku, outcome.settled);
              settled(outcome.settled, outcome.sentAt);
            }
          }),
        );
      if (WARM_UP_SECONDS > 0) {
        // The processes' JIT (the broker's above all) is still compiling after a start; a short run
        // at the first level's load first, so the figures are the stack's steady state.
        log(`checkout: ${WARM_UP_SECONDS} s at ${levels[0]} buyers before measuring`);
        await drive(levels[0]!, Date.now() + WARM_UP_SECONDS * 1000, () => undefined);
      }
      for (let run = 0; run < runs; run++) {
        for (const level of levels) {
          const samples: CheckoutSample[] = [];
          let failed = 0;
          const started = Date.now();
          const pids = Object.fromEntries([
            ...[...market.processes].map(([name, proc]) => [name, proc.child.pid!] as const),
            ['bench', process.pid] as const,
          ]);
          const { cpu } = await cpuDuring(pids, () =>
            drive(level, started + durationSeconds * 1000, (settled, sentAt) => {
              if (settled.status !== 'COMPLETED') {
                failed++;
                return;
              }
              samples.push({
                toConfirmedMs: when(settled.timeline, 'CONFIRM_ORDER', 'REPLY_RECEIVED') - sentAt,
                toCompletedMs: when(settled.timeline, null, 'COMPLETED') - sentAt,
                timeline: settled.timeline,
              });
            }),
          );
          const seconds = (Date.now() - started) / 1000;
          const confirmed = samples.map((s) => s.toConfirmedMs);
          const completed = samples.map((s) => s.toCompletedMs);
          loads.push({
            buyers: level,
            seconds,
            completed: samples.length,
            failed,
            perSecond: Math.round((samples.length / seconds) * 10) / 10,
            confirmedP50: percentile(confirmed, 50),
            confirmedP99: percentile(confirmed, 99),
            completedP50: percentile(completed, 50),
            completedP99: percentile(completed, 99),
            stepMs: stepDurations(samples),
            cpuMsPerCheckout: Object.fromEntries(
              Object.entries(cpu).map(([name, secs]) => [
                name,
                Math.round((secs * 1000) / Math.max(1, samples.length)),
              ]),
            ),
          });
          log(`checkout run ${run + 1}: ${JSON.stringify(loads.at(-1))}`);
        }
      }

      // Oversell: twice as many buyers as units race for the scarce SKU.
      log('checkout: racing for the scarce SKU');
      await Promise.all(
        buyers.slice(0, initial[scarce]! * 2).map(async (b, i) => {
          const { settled } = await placeAndSettle(client, b.token, scarce, `race-${i}-${word}`);
          count(scarce, settled);
        }),
      );
      // Reservations are committed by a fire-and-forget command after confirmation.
      await sleep(2_000);
      const items = (
        await client.call(
          `{ myStock(first: 100) { items { sku onHand available reserved committed } } }`,
          {},
          seller.token,
        )
      ).items as { sku: string; onHand: number; available: number; reserved: number; committed: number }[];
      stock = items
        .filter((i) => i.sku in initial)
        .map((i) => ({ ...i, initial: initial[i.sku]!, sold: sold.get(i.sku) ?? 0 }));
    } catch (error) {
      throw withServiceOutput(market, error);
    } finally {
      await market.stop();
    }

    const oversold = stock.reduce(
      (sum, s) => sum + Math.max(0, s.sold - s.initial) + Math.max(0, -s.available),
      0,
    );
    const consistent = stock.every((s) => s.committed === s.sold && s.available >= 0);
    const byLevel = (level: number) => loads.filter((l) => l.buyers === level);
    const summary = [...new Set(loads.map((l) => l.buyers))].map((level) => {
      const rows = byLevel(level);
      const m = (pick: (l: LoadRun) => number) => median(rows.map(pick));
      return {
        buyers: level,
        perSecond: m((l) => l.perSecond),
        confirmedP50: m((l) => l.confirmedP50),
        confirmedP99: m((l) => l.confirmedP99),
        completedP50: m((l) => l.completedP50),
        completedP99: m((l) => l.completedP99),
        failed: m((l) => l.failed),
        stepMs: rows.at(-1)?.stepMs ?? {},
        cpuMsPerCheckout: rows.at(-1)?.cpuMsPerCheckout ?? {},
      };
    });
    const steps = Object.keys(summary[0]?.stepMs ?? {});
    const at20 = summary.find((s) => s.buyers === 20)?.confirmedP99 ?? Number.NaN;
    const markdown = [
      "Buyers in a closed loop, spread over ten SKUs of one seller (add to cart, `placeOrder` with the sandbox provider, wait for the outcome) against the whole stack as separate processes. Latency is from sending `placeOrder` to the saga recording the order confirmed (CONFIRM_ORDER reply) and to COMPLETED (cart cleared), read from the checkout's timeline. Afterwards twice as many buyers as units race for a scarce SKU, and stock is checked against what was sold.",
      '',
      `A waiting buyer asks for its checkout's status every ${POLL_MS} ms (\`BENCH_CHECKOUT_POLL_MS\`) and for its timeline once it has ended. Before the first level is measured the stack runs ${WARM_UP_SECONDS} s at that level's load, unmeasured (\`BENCH_CHECKOUT_WARM_UP_SECONDS\`): right after a start the processes' JIT, the Kafka broker's above all, is still compiling.`,
      '',
      table(
        [
          'buyers',
          'checkouts/s',
          'to confirmed p50 (ms)',
          'to confirmed p99 (ms)',
          'to completed p50 (ms)',
          'to completed p99 (ms)',
          'failed',
        ],
        summary.map((s) => [
          s.buyers,
          fmt(s.perSecond),
          fmt(s.confirmedP50),
          fmt(s.confirmedP99),
          fmt(s.completedP50),
          fmt(s.completedP99),
          s.failed,
        ]),
      ),
      '',
      'Median time per saga step (command sent → reply received, ms):',
      '',
      table(
        ['step', ...summary.map((s) => `${s.buyers} buyers`)],
        steps.map((step) => [step, ...summary.map((s) => fmt(s.stepMs[step] ?? Number.NaN))]),
      ),
      '',
      'CPU time per completed checkout (ms) by process, the largest first (`bench` is the load generator and its polling):',
      '',
      table(
        ['process', ...summary.map((s) => `${s.buyers} buyers`)],
        Object.keys(summary.at(-1)?.cpuMsPerCheckout ?? {})
          .sort((a, b) => summary.at(-1)!.cpuMsPerCheckout[b]! - summary.at(-1)!.cpuMsPerCheckout[a]!)
          .map((name) => [name, ...summary.map((s) => fmt(s.cpuMsPerCheckout[name] ?? Number.NaN))]),
      ),
      '',
      table(
        ['SKU', 'initial', 'sold', 'committed + reserved', 'available'],
        stock.map((s) => [
          s.sku.endsWith('LAST') ? 'scarce' : s.sku.slice(-5).toLowerCase(),
          s.initial,
          s.sold,
          s.committed + s.reserved,
          s.available,
        ]),
      ),
      '',
      `- Target p99 to confirmed ≤ 1,000 ms at 20 buyers: ${fmt(at20)} ms, ${verdict(at20 <= 1_000)}.`,
      `- Oversold units: ${oversold} (target 0), ${verdict(oversold === 0)}; units committed equal units sold: ${consistent ? 'yes' : '**no**'}.`,
    ].join('\n');
    return { markdown, data: { summary, loads, stock, oversold, consistent } };
  },
};
