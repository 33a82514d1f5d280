import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { CHECKOUT_PATH } from '../faults/support/checkout-path.js';
import { eventually, journey } from './journey.js';

// Order identity through the gateway: every order has its own number (a declined order and its
// paid retry of the same minute too), notifications name it and link to it, buyers, sellers
// and support find orders by it; and ids of other buyers' carts, checkouts and orders tell nothing.
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Order-identity-admin-42' };
let market: Marketplace;
const {
  call,
  login,
  registerSeller,
  registerBuyer,
  approveStore,
  listProduct,
  addToCart,
  placeSandboxOrder,
  settled,
} = journey(() => market.gatewayUrl, word);

const SKU = `ID-${word}-LAMP`.toUpperCase();
const CHECKOUT = `id status currentStep orderId order { id number } paymentId failure { code message step }`;
const NUMBER = /^MP-[0-9A-HJKMNP-TV-Z]{8}$/;

let adminToken: string;
let seller: Awaited<ReturnType<typeof registerSeller>>;
let ada: Awaited<ReturnType<typeof registerBuyer>>;
let eve: Awaited<ReturnType<typeof registerBuyer>>;

/** Places the cart with a sandbox card token and waits until the saga has finished. */
async function checkOut(buyerToken: string, cartId: string, card: string, key: string) {
  const { body } = await placeSandboxOrder(buyerToken, cartId, 'Ada Buyer', key, {}, card);
  expect(body.errors).toBeUndefined();
  return settled(body.data.placeOrder.checkout.id as string, buyerToken, CHECKOUT);
}

beforeAll(async () => {
  market = await startMarketplace(
    suffix,
    {
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
      PAYMENTS_SANDBOX_ENABLED: 'true',
    },
    // The checkout path, and notifications: no search, reviews or operations.
    [...CHECKOUT_PATH, 'notifications'],
  );
  adminToken = await login(admin.email, admin.password);
  seller = await registerSeller('ida');
  await approveStore(seller.storeId, adminToken);
  await listProduct(seller.token, {
    name: `Desk lamp ${word}`,
    description: 'A lamp for the order identity journey',
    sku: SKU,
    amount: 2490,
    onHand: 10,
  });
  ada = await registerBuyer('Ada Identity');
  eve = await registerBuyer('Eve Identity');
}, 400_000);

afterAll(async () => {
  await market?.stop();
});

describe('order identity', () => {
  let cartId: string;
  let declined: { orderId: string; number: string };
  let paid: { orderId: string; number: string };

  it("another buyer's cart id answers exactly like a cart that does not exist, and the checkout reads with order: null", async () => {
    cartId = await addToCart(SKU, 1, ada.token);
    const onAdasCart = await checkOut(eve.token, cartId, 'tok_sandbox_approve', `eve-ada-${word}`);
    const onNoCart = await checkOut(eve.token, newId(), 'tok_sandbox_approve', `eve-none-${word}`);
    // Failed before any order existed: the checkout still reads, with order null.
    for (const failed of [onAdasCart, onNoCart])
      expect(failed).toMatchObject({
        status: 'FAILED',
        currentStep: 'SNAPSHOT_CART',
        orderId: expect.any(String),
        order: null,
        paymentId: expect.any(String),
      });
    expect(onAdasCart.failure).toEqual(onNoCart.failure);
    expect(onAdasCart.failure.code).toBe('CART.NOT_FOUND');
    // The owner's checkout is neither blocked nor changed by it (below).
  });

  it('numbers a declined order and its paid retry of the same minute differently', async () => {
    const first = await checkOut(ada.token, cartId, 'tok_sandbox_decline', `ada-declined-${word}`);
    expect(first.status).toBe('FAILED');
    expect(first.failure.code).toBe('PAYMENT.DECLINED');
    const second = await checkOut(ada.token, cartId, 'tok_sandbox_approve', `ada-paid-${word}`);
    expect(second.status).toBe('COMPLETED');
    expect(first.order.number).toMatch(NUMBER);
    expect(second.order.number).toMatch(NUMBER);
    expect(second.order.number).not.toBe(first.order.number);
    declined = { orderId: first.orderId, number: first.order.number };
    paid = { orderId: second.orderId, number: second.order.number };
    const shown = await call(
      `{ order(id: "${paid.orderId}") { number subOrders { number orderNumber } } }`,
      {},
      ada.token,
    );
    expect(shown).toEqual({
      number: paid.number,
      subOrders: [{ number: `${paid.number}-1`, orderNumber: paid.number }],
    });
  });

  it('names each order by its number in the notifications, linked by orderId', async () => {
    const notes = await eventually(
      async () => {
        const r = await call(
          `{ myNotifications(first: 50) { items { kind channel orderId subject body } } }`,
          {},
          ada.token,
        );
        const push = (r.items as { kind: string; channel: string }[]).filter((n) => n.channel === 'PUSH');
        const kinds = push.map((n) => n.kind);
        return kinds.includes('orders.order-confirmed') && kinds.includes('orders.order-cancelled')
          ? push
          : undefined;
      },
      'notifications of both orders',
      180_000,
    );
    const about = (kind: string) =>
      notes.find((n: { kind: string }) => n.kind === kind) as Record<string, string>;
    expect(about('orders.order-cancelled')).toMatchObject({
      orderId: declined.orderId,
      subject: `Order ${declined.number} cancelled`,
    });
    expect(about('orders.order-confirmed')).toMatchObject({
      orderId: paid.orderId,
      subject: `Order ${paid.number} confirmed`,
    });
    expect(about('orders.order-confirmed').body).toContain(paid.number);
  });

  it('finds the order by its number for its buyer, its seller and support; anyone else gets what none gets', async () => {
    const byNumber = (typed: string, token: string) =>
      call(`query($n: String!) { orderByNumber(number: $n) { id number } }`, { n: typed }, token);
    const subByNumber = (typed: string, token: string) =>
      call(`query($n: String!) { subOrderByNumber(number: $n) { id number orderId } }`, { n: typed }, token);
    const expected = { id: paid.orderId, number: paid.number };
    expect(await byNumber(paid.number, ada.token)).toEqual(expected);
    expect(await byNumber(paid.number.toLowerCase().replace('mp-', ''), ada.token)).toEqual(expected);
    expect(await byNumber(paid.number, seller.token)).toEqual(expected);
    expect(await byNumber(paid.number, adminToken)).toEqual(expected);
    expect(await subByNumber(`${paid.number}-1`, seller.token)).toMatchObject({ orderId: paid.orderId });
    const unused = paid.number.endsWith('0')
      ? `${paid.number.slice(0, -1)}1`
      : `${paid.number.slice(0, -1)}0`;
    expect(await byNumber(paid.number, eve.token)).toBeNull();
    expect(await byNumber(unused, eve.token)).toBeNull();
    expect(await subByNumber(`${paid.number}-1`, eve.token)).toBeNull();
  });

  it("another buyer's checkout and order ids answer like ids that do not exist", async () => {
    const paidCheckout = await call(`{ checkoutByOrder(orderId: "${paid.orderId}") { id } }`, {}, ada.token);
    const read = (query: string) => call(query, {}, eve.token);
    expect(await read(`{ checkout(id: "${paidCheckout.id}") { id } }`)).toEqual(
      await read(`{ checkout(id: "${newId()}") { id } }`),
    );
    expect(await read(`{ checkoutByOrder(orderId: "${paid.orderId}") { id } }`)).toBeNull();
    expect(await read(`{ order(id: "${paid.orderId}") { id } }`)).toBeNull();
    const cancel = (orderId: string) =>
      read(
        `mutation { cancelOrder(orderId: "${orderId}") { ... on ErrorResult { code message field } ... on OrderPayload { order { id } } } }`,
      );
    const foreign = await cancel(paid.orderId);
    expect(foreign).toEqual(await cancel(newId()));
    expect(foreign.code).toBe('ORDER.NOT_FOUND');
    // Nothing changed for Ada.
    expect((await call(`{ order(id: "${paid.orderId}") { status } }`, {}, ada.token)).status).not.toBe(
      'CANCELLED',
    );
  });
});
