import { fileURLToPath } from 'node:url';
import {
  GATEWAY_SECRET_HEADER,
  createKafka,
  loadConfig,
  signAccessToken,
  startService,
  type RunningService,
  type ServiceDefinition,
} from '@marketplace/platform';
import {
  startMarketplace,
  uniqueSuffix,
  type Marketplace,
  type SubgraphName,
} from '@marketplace/platform/testing';
import { newId } from '@marketplace/shared-kernel';
import type { Scenario } from '../lib/scenario.js';
import { percentile, ratio } from '../lib/stats.js';
import { table, verdict } from '../lib/markdown.js';
import {
  fmt,
  sleep,
  UNLIMITED_BUDGETS_ENV,
  waitForStackToCatchUp,
  withServiceOutput,
  skipHistory,
} from '../lib/bench-support.js';
import { eventually, marketplaceClient } from '../lib/marketplace-client.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SIZES = [1, 10, 100] as const;
const N = 100;

/** The ids the seeded stack holds, per kind of entity. */
interface Seeded {
  products: string[];
  variants: string[];
  categories: string[];
  users: string[];
  sellers: string[];
  coupons: string[];
  orders: string[];
  subOrders: string[];
  payments: string[];
  checkouts: string[];
  shipments: string[];
}

interface Case {
  subgraph: SubgraphName;
  type: string;
  selection: string;
  ids: (s: Seeded) => string[];
}

/** Each subgraph's entity types, with fields that make its reference resolver load the rows. */
const CASES: Case[] = [
  { subgraph: 'products', type: 'Product', selection: 'id name status', ids: (s) => s.products },
  { subgraph: 'products', type: 'Variant', selection: 'id sku price { amount }', ids: (s) => s.variants },
  { subgraph: 'products', type: 'Category', selection: 'id name slug', ids: (s) => s.categories },
  { subgraph: 'inventory', type: 'Variant', selection: 'id stock { available }', ids: (s) => s.variants },
  { subgraph: 'inventory', type: 'Product', selection: 'id inStock', ids: (s) => s.products },
  { subgraph: 'accounts', type: 'User', selection: 'id name role', ids: (s) => s.users },
  { subgraph: 'accounts', type: 'Seller', selection: 'id name status', ids: (s) => s.sellers },
  { subgraph: 'coupons', type: 'Coupon', selection: 'id code status', ids: (s) => s.coupons },
  { subgraph: 'orders', type: 'Order', selection: 'id status total { amount }', ids: (s) => s.orders },
  { subgraph: 'orders', type: 'SubOrder', selection: 'id status total { amount }', ids: (s) => s.subOrders },
  { subgraph: 'payments', type: 'Payment', selection: 'id status amount { amount }', ids: (s) => s.payments },
  { subgraph: 'payments', type: 'Order', selection: 'id payment { status }', ids: (s) => s.orders },
  {
    subgraph: 'checkout',
    type: 'Checkout',
    selection: 'id status total { amount }',
    ids: (s) => s.checkouts,
  },
  { subgraph: 'shipping', type: 'Shipment', selection: 'id status', ids: (s) => s.shipments },
  { subgraph: 'shipping', type: 'Order', selection: 'id shipments { id status }', ids: (s) => s.orders },
  { subgraph: 'shipping', type: 'SubOrder', selection: 'id shipment { status }', ids: (s) => s.subOrders },
];

/** Seeds N of every entity through the gateway, as users would create them. */
async function seed(
  market: Marketplace,
  word: string,
  admin: { email: string; password: string },
  log: (m: string) => void,
): Promise<Seeded> {
  const client = marketplaceClient(market.gatewayUrl, word);
  const inBatches = async <T>(
    count: number,
    width: number,
    make: (i: number) => Promise<T>,
  ): Promise<T[]> => {
    const out: T[] = [];
    for (let i = 0; i < count; i += width) {
      out.push(
        ...(await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => make(i + j)))),
      );
    }
    return out;
  };
  const adminToken = await client.login(admin.email, admin.password);
  log('entity batching: seeding sellers');
  const sellers = await inBatches(N, 4, (i) => client.registerSeller(`seller${i}`));
  await inBatches(N, 4, (i) => client.approveStore(sellers[i]!.storeId, adminToken));
  log('entity batching: seeding categories, products and coupons');
  const categories = await inBatches(N, 4, (i) => client.createCategory(`Category ${i}`, adminToken));
  const seller = sellers[0]!;
  const skus = Array.from({ length: N }, (_, i) => `EB-${word}-${i}`.toUpperCase());
  const products = await inBatches(N, 4, (i) =>
    client.createProduct(seller.token, {
      name: `Entity bench ${i} ${word}`,
      categoryId: categories[i]!,
      variants: [{ sku: skus[i]!, amount: 1000 + i }],
    }),
  );
  await inBatches(N, 4, (i) => client.setStock(skus[i]!, 1_000, seller.token));
  await inBatches(N, 4, (i) => client.publish(products[i]!, seller.token));
  const variants = await inBatches(N, 4, async (i) => {
    const p = await client.call(`{ product(id: "${products[i]}") { variants { id } } }`);
    return p.variants[0].id as string;
  });
  const coupons = await inBatches(N, 4, async (i) => {
    const r = await client.call(
      `mutation($input: CreateCouponInput!) { createCoupon(input: $input) { ... on CouponPayload { coupon { id } } ... on ErrorResult { code message } } }`,
      { input: { code: `EB${i}${word}`.toUpperCase().slice(0, 30), kind: 'PERCENTAGE', percentOff: 5 } },
      seller.token,
    );
    return r.coupon.id as string;
  });

  log('entity batching: seeding orders through checkouts');
  const buyers = await inBatches(10, 10, (i) => client.registerBuyer(`ebbuyer${i}`));
  const placed = (
    await Promise.all(
      buyers.map(async (buyer, b) => {
        const ids: { id: string; token: string }[] = [];
        for (let k = 0; k < N / buyers.length; k++) {
          const cartId = await client.addToCart(skus[(b * 10 + k) % N]!, 1, buyer.token);
          const r = await client.call(
            `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ... on CheckoutPayload { checkout { id } } ... on ErrorResult { code message } } }`,
            {
              input: {
                cartId,
                shippingAddress: {
                  fullName: 'Bench Buyer',
                  line1: 'Hauptstrasse 1',
                  city: 'Berlin',
                  postalCode: '10115',
                  country: 'DE',
                },
                paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
                idempotencyKey: `eb-${b}-${k}-${word}`,
              },
            },
            buyer.token,
          );
          const id = r.checkout.id as string;
          await eventually(
            async () => {
              const c = await client.call(`{ checkout(id: "${id}") { status } }`, {}, buyer.token);
              return c.status === 'COMPLETED' || c.status === 'FAILED';
            },
            `checkout ${id} settles`,
            180_000,
          );
          ids.push({ id, token: buyer.token });
        }
        return ids;
      }),
    )
  ).flat();
  // Orders are shown to their buyer (and the sellers in them).
  const orders: string[] = [];
  const subOrders: string[] = [];
  const payments: string[] = [];
  for (const { id, token } of placed) {
    const orderId = (await client.call(`{ checkout(id: "${id}") { orderId } }`, {}, token)).orderId as string;
    const o = await client.call(`{ order(id: "${orderId}") { subOrders { id } payment { id } } }`, {}, token);
    orders.push(orderId);
    subOrders.push(o.subOrders[0].id);
    payments.push(o.payment.id);
  }
  const checkouts = placed.map((p) => p.id);
  // Shipping opens a shipment once the payment is captured and the order paid.
  // Shipping opens a shipment once the payment is captured; take what it has opened by then.
  const shipments = await eventually(
    async () => {
      const mine = (await client.call(`{ myShipments { id } }`, {}, seller.token)) as { id: string }[];
      return mine.length >= N ? mine.map((s) => s.id) : undefined;
    },
    'shipping opens a shipment per sub-order',
    60_000,
  ).catch(async () =>
    ((await client.call(`{ myShipments { id } }`, {}, seller.token)) as { id: string }[]).map((s) => s.id),
  );
  return {
    products,
    variants,
    categories,
    users: sellers.map((s) => s.userId),
    sellers: sellers.map((s) => s.storeId),
    coupons,
    orders,
    subOrders,
    payments,
    checkouts,
    shipments,
  };
}

/** The subgraph's service definition from its build, run without consumers or jobs: only requests touch the database. */
async function requestOnly(subgraph: SubgraphName): Promise<ServiceDefinition> {
  const module = (await import(`${ROOT}subgraphs/${subgraph}/dist/service.js`)) as Record<string, unknown>;
  const definition = module[`${subgraph}Service`] as ServiceDefinition;
  return { ...definition, consumers: undefined, jobs: undefined };
}

interface CaseResult {
  subgraph: string;
  type: string;
  /** SQL statements per request, by batch size. */
  statements: Record<number, number>;
  p50: Record<number, number>;
  p99: Record<number, number>;
  resolved: Record<number, number>;
  p99Ratio: number;
}

export const scenario: Scenario = {
  id: '3-entity-batching',
  title: 'Entity batching',
  async run({ durationSeconds, log }) {
    const suffix = uniqueSuffix();
    const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
    const admin = { email: `admin-${word}@bench.example.com`, password: 'Bench-entities-admin-42' };
    process.env.PAYMENTS_SANDBOX_ENABLED = 'true';
    log('entity batching: starting the marketplace');
    const stackName = `bench${word}`;
    // Consumers start at the end of the shared topics rather than replaying their history.
    log(
      `skipping the topics' history for ${await skipHistory(createKafka(`bench-${suffix}`, loadConfig().kafkaBrokers), stackName)} consumer groups`,
    );
    const market = await startMarketplace(
      stackName,
      (ports) => ({
        ACCOUNTS_ADMIN_EMAIL: admin.email,
        ACCOUNTS_ADMIN_PASSWORD: admin.password,
        PAYMENTS_SANDBOX_ENABLED: 'true',
        SANDBOX_WEBHOOK_SECRET: `whsec_sandbox_${word}`,
        SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ports.webhooks}/webhooks/sandbox`,
        LOG_LEVEL: 'error',
        ...UNLIMITED_BUDGETS_ENV,
      }),
      ['accounts', 'products', 'inventory', 'cart', 'coupons', 'checkout', 'orders', 'payments', 'shipping'],
    );
    const results: CaseResult[] = [];
    const config = loadConfig();
    try {
      // A new stack's consumers first replay the shared topics' history; measure after that.
      await waitForStackToCatchUp(createKafka(`bench-${suffix}`, loadConfig().kafkaBrokers), stackName, log);
      const seeded = await seed(market, word, admin, log);
      const token = await signAccessToken(
        { userId: newId(), role: 'admin', sellerId: null },
        config.jwtSecret,
      );
      const subgraphs = [...new Set(CASES.map((c) => c.subgraph))];
      for (const subgraph of subgraphs) {
        let statements = 0;
        const service: RunningService = await startService(await requestOnly(subgraph), {
          port: 0,
          dbName: `mp_e2e_${subgraph}_${stackName}`,
          relay: false,
          onQuery: (sql) => {
            if (sql.startsWith('[query]')) statements++;
          },
        });
        try {
          const url = service.server.url;
          const send = async (type: string, selection: string, ids: string[]) => {
            const res = await fetch(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${token}`,
                [GATEWAY_SECRET_HEADER]: config.gatewaySecret,
              },
              body: JSON.stringify({
                query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { ${selection} } } }`,
                variables: { r: ids.map((id) => ({ __typename: type, id })) },
              }),
            });
            const body = (await res.json()) as { data?: { _entities: unknown[] }; errors?: unknown[] };
            if (body.errors?.length)
              throw new Error(`${subgraph} ${type}: ${JSON.stringify(body.errors).slice(0, 500)}`);
            return body.data!._entities.filter((e) => e !== null).length;
          };
          for (const c of CASES.filter((x) => x.subgraph === subgraph)) {
            const all = c.ids(seeded);
            const result: CaseResult = {
              subgraph,
              type: c.type,
              statements: {},
              p50: {},
              p99: {},
              resolved: {},
              p99Ratio: Number.NaN,
            };
            for (const size of SIZES) {
              // Ids the seed did not produce (too few shipments) are unknown ones: still representations.
              const ids = [...all.slice(0, size)];
              while (ids.length < size) ids.push(newId());
              for (let i = 0; i < 20; i++) await send(c.type, c.selection, ids);
              // Requests one at a time, so every statement counted belongs to the one in flight.
              statements = 0;
              result.resolved[size] = await send(c.type, c.selection, ids);
              result.statements[size] = statements;
              const latencies: number[] = [];
              const end = Date.now() + Math.max(1_000, (durationSeconds * 1000) / SIZES.length);
              while (Date.now() < end) {
                const started = performance.now();
                await send(c.type, c.selection, ids);
                latencies.push(performance.now() - started);
              }
              result.p50[size] = percentile(latencies, 50);
              result.p99[size] = percentile(latencies, 99);
            }
            result.p99Ratio = ratio(result.p99[100]!, result.p99[1]!);
            results.push(result);
            log(`entity batching: ${JSON.stringify(result)}`);
          }
        } finally {
          await service.stop();
        }
        await sleep(100);
      }
    } catch (error) {
      throw withServiceOutput(market, error);
    } finally {
      await market.stop();
    }

    const constant = (r: CaseResult) =>
      r.statements[1] === r.statements[10] && r.statements[10] === r.statements[100];
    const allConstant = results.every(constant);
    const worst = Math.max(...results.map((r) => r.p99Ratio));
    const markdown = [
      `\`_entities\` sent straight to each subgraph (with the gateway secret and an admin token) with 1, 10 and 100 representations of rows seeded through the gateway (${N} of each: sellers, categories, products with stock, coupons, checkouts with their orders, payments and shipments). The subgraph runs in the benchmark's process on the stack's database with its consumers and jobs off, so every SQL statement it logs belongs to the request in flight; requests are sent one at a time.`,
      '',
      table(
        [
          'subgraph',
          'entity',
          'statements 1 / 10 / 100',
          'resolved at 100',
          'p50 1 / 10 / 100 (ms)',
          'p99 1 / 10 / 100 (ms)',
          'p99 100 ÷ 1',
        ],
        results.map((r) => [
          r.subgraph,
          r.type,
          SIZES.map((s) => r.statements[s]).join(' / '),
          r.resolved[100] ?? 0,
          SIZES.map((s) => fmt(r.p50[s]!)).join(' / '),
          SIZES.map((s) => fmt(r.p99[s]!)).join(' / '),
          r.p99Ratio,
        ]),
      ),
      '',
      `- Statements constant from 1 to 100 representations: ${verdict(allConstant)}${
        allConstant
          ? ''
          : ` (not for ${results
              .filter((r) => !constant(r))
              .map((r) => `${r.subgraph} ${r.type}`)
              .join(', ')})`
      }.`,
      `- p99 at 100 ≤ 3× p99 at 1: worst ${worst}×, ${verdict(worst <= 3)}.`,
    ].join('\n');
    return { markdown, data: { results } };
  },
};
