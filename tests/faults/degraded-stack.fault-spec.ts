import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '@marketplace/platform';
import { startMarketplace, uniqueSuffix, waitFor, type Marketplace } from '@marketplace/platform/testing';
import { sandboxSignature } from '../../subgraphs/payments/src/adapters/providers/sandbox.js';
import { eventually, journey } from '../e2e/journey.js';
import { privateKafka, report, type PrivateServer } from './support/private-infra.js';
import { CHECKOUT_PATH } from './support/checkout-path.js';

/*
 * Faults injected into one running stack (shared Postgres, a private Kafka broker):
 * - a subgraph killed, then hung (SIGSTOP): what does not touch it still answers; its fields
 *   come back null with an error, within the gateway's subgraph timeout;
 * - the Postgres session of a mutation terminated mid-transaction: a clean error, nothing
 *   half-written, and the service keeps serving;
 * - a webhook storm: one signed provider event delivered 20 times at once has one effect.
 */

const SUBGRAPH_TIMEOUT_MS = 2_000;
/** Process scheduling on a loaded CI machine, not part of the behaviour under test. */
const TIMEOUT_SLACK_MS = 3_000;

const config = loadConfig();
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@faults.example.com`, password: 'Faults-admin-password-42' };
const sandboxSecret = `whsec_sandbox_${word}`;
const SKU = `DEG-${word}-LAMP`.toUpperCase();
let market: Marketplace;
let broker: PrivateServer | undefined;
const { gql, call, login, registerSeller, registerBuyer, approveStore, listProduct, addToCart } = journey(
  () => market.gatewayUrl,
  word,
);
let seller: Awaited<ReturnType<typeof registerSeller>>;
let productId: string;

/** A client on one service's database of this stack. */
async function database(service: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: `${config.postgresUrl}/mp_e2e_${service}_${suffix}` });
  await client.connect();
  return client;
}

beforeAll(async () => {
  // A broker of its own: new consumer groups on the shared one first replay every earlier
  // suite's events, which on a busy machine outlasts the checkout's step timeouts.
  broker = await privateKafka();
  await broker.start();
  market = await startMarketplace(
    suffix,
    (ports) => ({
      KAFKA_BROKERS: broker!.address,
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
      PAYMENTS_SANDBOX_ENABLED: 'true',
      SANDBOX_WEBHOOK_SECRET: sandboxSecret,
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ports.webhooks}/webhooks/sandbox`,
      SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
      CHECKOUT_STEP_TIMEOUT_MS: '30000',
    }),
    CHECKOUT_PATH,
  );
  const adminToken = await login(admin.email, admin.password);
  seller = await registerSeller('degraded');
  await approveStore(seller.storeId, adminToken);
  productId = await listProduct(seller.token, {
    name: `Degraded lamp ${word}`,
    description: 'a lamp for the fault tests',
    sku: SKU,
    amount: 2500,
    onHand: 10,
  });
}, 300_000);

afterAll(async () => {
  const inventory = market?.processes.get('inventory')?.child;
  if (inventory?.pid && inventory.exitCode === null) process.kill(inventory.pid, 'SIGCONT');
  await market?.stop();
  await broker?.stop();
}, 120_000);

describe('one subgraph down', () => {
  const BOTH = () => `{ product(id: "${productId}") { name inStock } }`;
  const PRODUCTS_ONLY = () => `{ product(id: "${productId}") { name slug } }`;

  /** Asks for a field of the missing subgraph and one without it; returns the elapsed times. */
  async function probe() {
    const started = Date.now();
    const both = await gql(BOTH(), {}, seller.token);
    const bothMs = Date.now() - started;
    const untouched = await gql(PRODUCTS_ONLY(), {}, seller.token);
    return { both: both.body, bothMs, untouched: untouched.body };
  }

  it('killed: other fields and operations answer; its field is null with an error', async () => {
    expect((await gql(BOTH(), {}, seller.token)).body.data.product.inStock).toBe(true);
    await market.kill('inventory');
    const { both, bothMs, untouched } = await probe();
    const stock = await gql(`{ myStock { items { sku } } }`, {}, seller.token);
    report('subgraph killed (connection refused)', {
      answerMs: bothMs,
      nullFields: both.data?.product?.inStock === null ? 1 : 0,
      errors: both.errors?.length ?? 0,
      untouchedErrors: untouched.errors?.length ?? 0,
    });
    expect(both.data.product).toEqual({ name: `Degraded lamp ${word}`, inStock: null });
    expect(both.errors?.length).toBeGreaterThan(0);
    expect(untouched.errors).toBeUndefined();
    expect(untouched.data.product.name).toBe(`Degraded lamp ${word}`);
    // An operation owned by the missing subgraph fails as a whole, with an error.
    expect(stock.body.errors?.length).toBeGreaterThan(0);
    await market.restart('inventory');
    expect((await gql(BOTH(), {}, seller.token)).body.data.product.inStock).toBe(true);
  });

  it('hung (SIGSTOP): its field is null with an error within the configured subgraph timeout', async () => {
    const pid = market.processes.get('inventory')!.child.pid!;
    process.kill(pid, 'SIGSTOP');
    let result: Awaited<ReturnType<typeof probe>>;
    try {
      result = await probe();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const { both, bothMs, untouched } = result;
    report('subgraph hung (SIGSTOP)', {
      answerMs: bothMs,
      timeoutMs: SUBGRAPH_TIMEOUT_MS,
      nullFields: both.data?.product?.inStock === null ? 1 : 0,
      errors: both.errors?.length ?? 0,
      untouchedErrors: untouched.errors?.length ?? 0,
    });
    expect(both.data.product).toEqual({ name: `Degraded lamp ${word}`, inStock: null });
    expect(both.errors?.length).toBeGreaterThan(0);
    expect(untouched.errors).toBeUndefined();
    // The configured bound is the behaviour under test; the slack covers scheduling only.
    expect(bothMs).toBeLessThan(SUBGRAPH_TIMEOUT_MS + TIMEOUT_SLACK_MS);
    // Resumed, it answers again.
    await eventually(
      async () => (await gql(BOTH(), {}, seller.token)).body.data?.product?.inStock === true,
      'the resumed subgraph answers',
      30_000,
    );
  });
});

describe('a Postgres connection dropped mid-transaction', () => {
  it('fails the request cleanly, writes nothing, and the service keeps serving', async () => {
    const inventoryDb = `mp_e2e_inventory_${suffix}`;
    const locker = await database('inventory');
    const observer = await database('inventory');
    try {
      const before = (await observer.query('select * from stock_item where sku = $1', [SKU])).rows[0];
      // Only this stock item's events: the service meanwhile consumes other suites' catalog events.
      const events = async () =>
        (
          await observer.query('select count(*)::int as n from outbox where message_key = $1', [
            before.variant_id,
          ])
        ).rows[0].n as number;
      const outboxBefore = await events();
      // Hold the row, so setStock blocks inside its transaction, after its first statements.
      await locker.query('begin');
      await locker.query('select 1 from stock_item where sku = $1 for update', [SKU]);
      const started = Date.now();
      const answer = gql(
        `mutation { setStock(input: { sku: "${SKU}", onHand: 7 }) {
          __typename ... on StockItemPayload { stockItem { onHand } } ... on ErrorResult { code message } } }`,
        {},
        seller.token,
      );
      const victim = await waitFor(
        async () =>
          (
            await observer.query(
              `select pid from pg_stat_activity
               where datname = $1 and wait_event_type = 'Lock' and pid <> $2`,
              [inventoryDb, (locker as unknown as { processID: number }).processID],
            )
          ).rows[0]?.pid as number | undefined,
        30_000,
        20,
      );
      await observer.query('select pg_terminate_backend($1)', [victim]);
      const { body } = await answer;
      const answeredMs = Date.now() - started;
      await locker.query('rollback');

      const after = (await observer.query('select * from stock_item where sku = $1', [SKU])).rows[0];
      const outboxAfter = await events();
      const code = body.errors?.[0]?.extensions?.code as string | undefined;
      report('Postgres session terminated mid-transaction', {
        answerMs: answeredMs,
        errorCode: code ?? 'none',
        halfWritten: (after.on_hand !== before.on_hand ? 1 : 0) + (outboxAfter - outboxBefore),
      });
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(code).toEqual(expect.any(String));
      expect(JSON.stringify(body.errors)).not.toMatch(/\bat .+:\d+:\d+/);
      expect(after).toEqual(before);
      expect(outboxAfter).toBe(outboxBefore);

      // The pool replaced the dead session: the same mutation now goes through.
      const retried = await call(
        `mutation { setStock(input: { sku: "${SKU}", onHand: 9 }) {
          ... on StockItemPayload { stockItem { onHand } } ... on ErrorResult { code message } } }`,
        {},
        seller.token,
      );
      expect(retried.stockItem.onHand).toBe(9);
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
      await observer.end();
    }
  });
});

describe('a webhook storm', () => {
  it('the same provider event 20 times at once has one effect', async () => {
    const buyer = await registerBuyer('Storm Buyer');
    await addToCart(SKU, 1, buyer.token);
    const cart = await call(`{ myCart { id } }`, {}, buyer.token);
    const placed = await call(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
        ... on CheckoutPayload { checkout { id orderId } } ... on ErrorResult { code message } } }`,
      {
        input: {
          cartId: cart.id,
          shippingAddress: {
            fullName: 'Storm Buyer',
            line1: 'Hauptstrasse 1',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
          // The sandbox leaves this authorization pending until a webhook says otherwise.
          paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_pending' },
          idempotencyKey: `storm-${word}`,
        },
      },
      buyer.token,
    );
    const checkoutId = placed.checkout.id as string;
    const payments = await database('payments');
    const webhooks = await database('webhooks');
    try {
      const payment = await eventually(
        async () =>
          (
            await payments.query(
              'select id, order_id, provider_reference, amount, currency from payment where checkout_id = $1 and provider_reference is not null',
              [checkoutId],
            )
          ).rows[0] as
            | { id: string; order_id: string; provider_reference: string; amount: string; currency: string }
            | undefined,
        'the payment waits for the provider',
        120_000,
      ).catch(async (error: Error) => {
        const saga = await gql(
          `{ checkout(id: "${checkoutId}") { status currentStep failure { code } timeline { step event } } }`,
          {},
          buyer.token,
        );
        const rows = await payments.query(
          'select status, provider_reference from payment where checkout_id = $1',
          [checkoutId],
        );
        throw new Error(
          `${error.message}; checkout: ${JSON.stringify(saga.body)}; payments: ${JSON.stringify(rows.rows)}`,
        );
      });
      const eventId = `evt_storm_${word}`;
      const body = JSON.stringify({
        id: eventId,
        type: 'payment.authorized',
        created: Math.floor(Date.now() / 1000),
        data: {
          reference: payment.provider_reference,
          refundId: null,
          amount: Number(payment.amount),
          currency: payment.currency.trim(),
          declineCode: null,
        },
      });
      const signature = sandboxSignature(body, sandboxSecret);
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(`${market.webhooksUrl}/webhooks/sandbox`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'Sandbox-Signature': signature },
            body,
          });
          return { status: res.status, body: (await res.json()) as { duplicate?: boolean } };
        }),
      );

      const settled = await eventually(
        async () => {
          const c = await call(`{ checkout(id: "${checkoutId}") { status } }`, {}, buyer.token);
          return c.status === 'COMPLETED' || c.status === 'FAILED' ? c : undefined;
        },
        'the checkout finishes',
        90_000,
      );
      const captured = await eventually(
        async () =>
          (
            await payments.query(
              `select status, captured_amount from payment where id = $1 and status = 'CAPTURED'`,
              [payment.id],
            )
          ).rows[0],
        'the payment is captured',
        60_000,
      );
      // Let any late duplicate travel through Kafka before counting effects.
      await new Promise((r) => setTimeout(r, 1_500));
      const stored = (
        await webhooks.query(
          `select count(*)::int as n from webhook_event where provider = 'sandbox' and provider_event_id = $1`,
          [eventId],
        )
      ).rows[0].n as number;
      const applied = (
        await payments.query('select count(*)::int as n from provider_event where provider_event_id = $1', [
          eventId,
        ])
      ).rows[0].n as number;
      const captures = (
        await payments.query(
          `select count(*)::int as n from ledger_entry where payment_id = $1 and kind = 'CAPTURE'`,
          [payment.id],
        )
      ).rows[0].n as number;
      const accepted = answers.filter((a) => a.status === 200 && !a.body.duplicate).length;
      const duplicates = answers.filter((a) => a.status === 200 && a.body.duplicate === true).length;
      report('webhook storm (20 identical deliveries)', {
        accepted,
        acknowledgedDuplicates: duplicates,
        refused: answers.length - accepted - duplicates,
        storedEvents: stored,
        appliedEvents: applied,
        captureLedgerEntries: captures,
      });
      expect(accepted).toBe(1);
      expect(duplicates).toBe(19);
      expect(stored).toBe(1);
      expect(applied).toBe(1);
      expect(settled.status).toBe('COMPLETED');
      expect(captures).toBe(1);
      expect(Number(captured.captured_amount)).toBe(Number(payment.amount));
    } finally {
      await payments.end();
      await webhooks.end();
    }
  }, 300_000);
});
