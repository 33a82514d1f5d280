import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import {
  newAdmin,
  newBuyer,
  newSeller,
  uniqueSuffix,
  useSubgraph,
  waitFor,
} from '@marketplace/platform/testing';
import { isKnownContract } from '@marketplace/event-contracts';
import { createCheckoutService } from '../src/service.js';
import { CHECKOUT_STATUS, CHECKOUT_STEP } from '../src/domain/checkout-saga.js';

/** A fresh consumer group first replays the reply topics' history; under a full suite that takes a while. */
const CONSUMED_MS = 60_000;
/** A reply-driven test waits on several consumed replies; one slow catch-up must not time the test out. */
const REPLY_TEST_MS = 3 * CONSUMED_MS;

const env = { ...process.env, CHECKOUT_TIMEOUT_SWEEP_MS: '100', CHECKOUT_STEP_ATTEMPTS: '3' };
// A new definition per start: the restart tests start it again on the same database.
const sut = useSubgraph(() => createCheckoutService(env));
const { gql, sql } = sut;
const buyer = newBuyer();
const otherBuyer = newBuyer();
const seller = newSeller();
const admin = newAdmin();
const SELLER_A = newId();
const SELLER_B = newId();

const CHECKOUT = `id status currentStep orderId order { id } paymentId total { amount currency }
  failure { code message step } timeline { step event detail }`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  __typename ... on CheckoutPayload { checkout { ${CHECKOUT} } } ... on ErrorResult { code message field } } }`;
const address = {
  fullName: 'Ada Buyer',
  line1: 'Hauptstrasse 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

const place = async (as: Actor, overrides: Record<string, unknown> = {}) =>
  (
    await gql(
      PLACE,
      {
        input: {
          cartId: newId(),
          shippingAddress: address,
          paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
          idempotencyKey: `key-${uniqueSuffix()}`,
          ...overrides,
        },
      },
      as,
    )
  ).placeOrder;

const readCheckout = async (id: string, as: Actor = buyer) =>
  (await gql(`query($id: ID!) { checkout(id: $id) { ${CHECKOUT} } }`, { id }, as)).checkout;

/** Outbox rows of one type for one Kafka key, oldest first, once the relay has published them. */
const sent = (type: string, key: string) =>
  sql<{ envelope: { id: string; payload: Record<string, unknown> }; sent_at: Date | null }>(
    'select envelope, sent_at from outbox where event_type = ? and message_key = ? order by created_at, id',
    [type, key],
  );

const sagaRow = async (id: string) =>
  (
    await sql<{ status: string; current_step: string; attempt: number }>(
      // The current step is the first in flight; its attempt, 0 once finished.
      "select status, current_step, coalesce((in_flight->0->>'attempt')::int, 0) as attempt from checkout_saga where id = ?",
      [id],
    )
  )[0]!;

/**
 * Lets every step in flight pass its deadline (the swept column and each step's own), as if
 * `attempt` sends of it had been made when given.
 */
const expireSteps = (id: string, attempt: number | null = null) =>
  sql(
    `update checkout_saga set deadline_at = now() - interval '1 second',
       in_flight = coalesce((select jsonb_agg(f || jsonb_build_object(
         'deadlineAt', '2000-01-01T00:00:00.000Z',
         'attempt', coalesce(cast(? as int), (f->>'attempt')::int))) from jsonb_array_elements(in_flight) f), '[]')
     where id = ?`,
    [attempt, id],
  );

/** Publishes a participant's reply exactly as its producer would (contract-checked envelope). */
async function reply(
  type: string,
  aggregateId: string,
  payload: Record<string, unknown>,
  causationId: string | null = null,
) {
  await sut.send(`${type}@1`, payload, { aggregateType: 'Test', aggregateId, producer: 'test', causationId });
}

const money = (amount: number) => ({ amount, currency: 'EUR' });
const REPLIES = [
  'cart.cart-snapshotted',
  'shipping.shipping-quoted',
  'orders.order-created',
  'inventory.stock-reserved',
  'coupons.coupons-redeemed',
  'payments.payment-authorized',
  'payments.payment-failed',
  'orders.order-confirmed',
  'cart.cart-checked-out',
  'orders.create-order',
  'orders.confirm-order',
  'orders.cancel-order',
];
/** The participants' schemas are written by their own packages; until all exist, the reply-driven tests wait. */
const participantsReady = () => REPLIES.every((type) => isKnownContract(type, 1));
const itWithParticipants = participantsReady() ? it : it.skip;

function lines(cartId: string) {
  return [
    {
      lineId: newId(),
      sku: `SKU-A-${cartId.slice(-6)}`.toUpperCase(),
      variantId: newId(),
      productId: newId(),
      sellerId: SELLER_A,
      productName: 'Lamp',
      variantName: null,
      quantity: 2,
      unitPrice: money(1000),
    },
    {
      lineId: newId(),
      sku: `SKU-B-${cartId.slice(-6)}`.toUpperCase(),
      variantId: newId(),
      productId: newId(),
      sellerId: SELLER_B,
      productName: 'Mug',
      variantName: 'Blue',
      quantity: 1,
      unitPrice: money(550),
    },
  ];
}

/** Plays cart, shipping, orders and inventory up to the payment authorization. */
async function driveToPayment(checkout: { id: string; orderId: string }, cartId: string) {
  const cartLines = lines(cartId);
  await reply('cart.cart-snapshotted', checkout.id, {
    checkoutId: checkout.id,
    cartId,
    buyerId: buyer.userId,
    currency: 'EUR',
    couponCodes: [],
    lines: cartLines,
  });
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'QUOTE_SHIPPING', CONSUMED_MS);
  await reply('shipping.shipping-quoted', checkout.id, {
    checkoutId: checkout.id,
    quotes: [
      { sellerId: SELLER_A, service: 'STANDARD', amount: money(499), weightGrams: 1000 },
      { sellerId: SELLER_B, service: 'STANDARD', amount: money(299), weightGrams: 300 },
    ],
  });
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'CREATE_ORDER', CONSUMED_MS);
  await reply('orders.order-created', checkout.orderId, {
    orderId: checkout.orderId,
    checkoutId: checkout.id,
    buyerId: buyer.userId,
    status: 'PENDING',
    currency: 'EUR',
    subtotal: money(2550),
    shippingTotal: money(798),
    subOrders: [
      {
        subOrderId: newId(),
        sellerId: SELLER_A,
        lineIds: [cartLines[0]!.lineId],
        subtotal: money(2000),
        shipping: money(499),
      },
      {
        subOrderId: newId(),
        sellerId: SELLER_B,
        lineIds: [cartLines[1]!.lineId],
        subtotal: money(550),
        shipping: money(299),
      },
    ],
    version: 1,
  });
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'RESERVE_STOCK', CONSUMED_MS);
  await reply('inventory.stock-reserved', newId(), {
    reservationId: newId(),
    reference: `order:${checkout.orderId}`,
    kind: 'FIRM',
    lines: cartLines.map((l) => ({
      sku: l.sku,
      variantId: l.variantId,
      productId: l.productId,
      sellerId: l.sellerId,
      quantity: l.quantity,
      requested: l.quantity,
    })),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    version: 1,
  });
  // No coupon codes: REDEEM_COUPONS is skipped.
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'AUTHORIZE_PAYMENT', CONSUMED_MS);
  return cartLines;
}

/** Plays payments and orders from the authorization to the order's confirmation (the saga then clears the cart). */
async function authorizeAndConfirm(
  checkout: { id: string; orderId: string; paymentId: string },
  providerReference: string,
) {
  await reply('payments.payment-authorized', checkout.paymentId, {
    paymentId: checkout.paymentId,
    orderId: checkout.orderId,
    checkoutId: checkout.id,
    buyerId: buyer.userId,
    amount: money(3348),
    provider: 'SANDBOX',
    providerReference,
    version: 1,
  });
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'CONFIRM_ORDER', CONSUMED_MS);
  await reply('orders.order-confirmed', checkout.orderId, {
    orderId: checkout.orderId,
    checkoutId: checkout.id,
    buyerId: buyer.userId,
    paymentId: checkout.paymentId,
    currency: 'EUR',
    total: money(3348),
    discountTotal: money(0),
    subOrders: [
      { subOrderId: newId(), sellerId: SELLER_A, total: money(2499) },
      { subOrderId: newId(), sellerId: SELLER_B, total: money(849) },
    ],
    version: 2,
  });
  await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'CLEAR_CART', CONSUMED_MS);
}

describe('checkout subgraph', () => {
  it('keeps the CHECKs of the saga status and current step equal to the domain sets', async () => {
    expect(await sut.checkedValues('checkout_saga', 'status')).toEqual([...CHECKOUT_STATUS.values]);
    expect(await sut.checkedValues('checkout_saga', 'current_step')).toEqual([...CHECKOUT_STEP.values]);
  });

  it('placeOrder persists a RUNNING saga and publishes the cart snapshot command through the outbox', async () => {
    const cartId = newId();
    const result = await place(buyer, { cartId });
    expect(result.__typename).toBe('CheckoutPayload');
    const checkout = result.checkout;
    expect(checkout).toMatchObject({
      status: 'RUNNING',
      currentStep: 'SNAPSHOT_CART',
      total: null,
      failure: null,
    });
    // The order is not asked for until CREATE_ORDER.
    expect(checkout.order).toBeNull();
    expect(await sagaRow(checkout.id)).toEqual({
      status: 'RUNNING',
      current_step: 'SNAPSHOT_CART',
      attempt: 1,
    });
    const [command] = await waitFor(async () => {
      const rows = await sent('cart.snapshot-cart', cartId);
      return rows.length === 1 && rows[0]!.sent_at ? rows : undefined;
    });
    expect(command!.envelope.payload).toEqual({ checkoutId: checkout.id, cartId, buyerId: buyer.userId });
    expect(await sent('checkout.checkout-started', checkout.id)).toHaveLength(1);
  });

  it('answers the first checkout for a replayed key, refuses the key with other input, and validates', async () => {
    const cartId = newId();
    const idempotencyKey = `replay-${uniqueSuffix()}`;
    const first = (await place(buyer, { cartId, idempotencyKey })).checkout;
    const again = await place(buyer, {
      cartId,
      idempotencyKey,
      shippingAddress: { ...address, country: 'de' },
    });
    expect(again.checkout.id).toBe(first.id);
    const reused = await place(buyer, { cartId: newId(), idempotencyKey });
    expect(reused).toMatchObject({ __typename: 'ErrorResult', code: 'CHECKOUT.IDEMPOTENCY_KEY_REUSED' });
    expect(
      await sql('select id from checkout_saga where idempotency_key = ?', [idempotencyKey]),
    ).toHaveLength(1);
    expect(await sent('cart.snapshot-cart', cartId)).toHaveLength(1);

    const before = (await sql<{ n: number }>('select count(*)::int as n from checkout_saga'))[0]!.n;
    const invalid = await Promise.all([
      place(buyer, { idempotencyKey: 'short' }),
      place(buyer, { shippingAddress: { ...address, country: 'Germany' } }),
      place(buyer, { paymentMethod: { provider: 'SANDBOX', token: '' } }),
      place(seller),
      place(admin),
    ]);
    expect(invalid.map((r) => r.code)).toEqual([
      'VALIDATION.INVALID',
      'VALIDATION.INVALID',
      'VALIDATION.INVALID',
      'AUTH.FORBIDDEN',
      'AUTH.FORBIDDEN',
    ]);
    expect((await sql<{ n: number }>('select count(*)::int as n from checkout_saga'))[0]!.n).toBe(before);
  });

  it('two concurrent placeOrders with one key create one checkout and both answer it', async () => {
    const cartId = newId();
    const idempotencyKey = `race-${uniqueSuffix()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => place(buyer, { cartId, idempotencyKey })),
    );
    expect(new Set(results.map((r) => r.checkout?.id)).size).toBe(1);
    expect(
      await sql('select id from checkout_saga where idempotency_key = ?', [idempotencyKey]),
    ).toHaveLength(1);
    expect(await sent('cart.snapshot-cart', cartId)).toHaveLength(1);
  });

  it('allows one running checkout per cart: a second key is refused until the first finishes', async () => {
    const cartId = newId();
    const [a, b] = await Promise.all([
      place(buyer, { cartId, idempotencyKey: `tab-a-${uniqueSuffix()}` }),
      place(buyer, { cartId, idempotencyKey: `tab-b-${uniqueSuffix()}` }),
    ]);
    const placed = [a, b].filter((r) => r.__typename === 'CheckoutPayload');
    const refused = [a, b].filter((r) => r.__typename === 'ErrorResult');
    expect(placed).toHaveLength(1);
    expect(refused).toEqual([
      {
        __typename: 'ErrorResult',
        code: 'CHECKOUT.CART_IN_CHECKOUT',
        message: 'A checkout of this cart is already in progress',
        field: 'cartId',
      },
    ]);
    expect(await sql('select id from checkout_saga where cart_id = ?', [cartId])).toHaveLength(1);
    expect(await sent('cart.snapshot-cart', cartId)).toHaveLength(1);
    // The first checkout ends (its last attempt times out): the cart may be checked out again.
    const first = placed[0]!.checkout;
    await expireSteps(first.id, 3);
    await waitFor(async () => (await sagaRow(first.id)).status === 'FAILED', CONSUMED_MS);
    const again = await place(buyer, { cartId });
    expect(again.__typename).toBe('CheckoutPayload');
    expect(again.checkout.id).not.toBe(first.id);
  });

  it("another buyer naming a cart in checkout gets a checkout like for any cart, and does not block the owner's", async () => {
    const cartId = newId();
    const owners = await place(buyer, { cartId });
    expect(owners.__typename).toBe('CheckoutPayload');
    // Not CHECKOUT.CART_IN_CHECKOUT: that would tell the cart exists and is being checked out.
    const strangers = await place(otherBuyer, { cartId });
    expect(strangers.__typename).toBe('CheckoutPayload');
    expect(strangers.checkout.status).toBe('RUNNING');
    expect((await place(otherBuyer, { cartId: newId() })).__typename).toBe('CheckoutPayload');
    // The owner's own second checkout of the cart is still refused.
    expect(await place(buyer, { cartId })).toMatchObject({ code: 'CHECKOUT.CART_IN_CHECKOUT' });
  });

  itWithParticipants(
    'a checkout that failed before its order existed reads with order: null and all its other fields',
    async () => {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      await reply('cart.cart-snapshot-rejected', checkout.id, {
        checkoutId: checkout.id,
        cartId,
        code: 'CART.NOT_FOUND',
        message: 'No open cart with this id',
      });
      await waitFor(async () => (await sagaRow(checkout.id)).status === 'FAILED', CONSUMED_MS);
      const failed = await readCheckout(checkout.id);
      expect(failed).toMatchObject({
        id: checkout.id,
        status: 'FAILED',
        currentStep: 'SNAPSHOT_CART',
        orderId: checkout.orderId,
        order: null,
        paymentId: checkout.paymentId,
        total: null,
        failure: { code: 'CART.NOT_FOUND', message: 'No open cart with this id', step: 'SNAPSHOT_CART' },
      });
      expect(failed.timeline.length).toBeGreaterThan(0);
    },
  );

  it('with two instances sweeping, a timed-out step is re-sent once', async () => {
    const second = await sut.startReplica();
    try {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      await expireSteps(checkout.id);
      await waitFor(async () => (await sagaRow(checkout.id)).attempt === 2, CONSUMED_MS);
      // Several sweeps of both instances later, still exactly one re-send.
      await new Promise((r) => setTimeout(r, 500));
      expect(await sagaRow(checkout.id)).toMatchObject({ status: 'RUNNING', attempt: 2 });
      expect(await sent('cart.snapshot-cart', cartId)).toHaveLength(2);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('shows a checkout to its buyer and admins only, by id and by order', async () => {
    const checkout = (await place(buyer)).checkout;
    expect((await readCheckout(checkout.id, buyer)).id).toBe(checkout.id);
    expect((await readCheckout(checkout.id, admin)).id).toBe(checkout.id);
    expect(await readCheckout(checkout.id, otherBuyer)).toBeNull();
    expect(await readCheckout(checkout.id, seller)).toBeNull();
    // Where the saga stands is for admins (operations), not for its buyer.
    const progress = `query($id: ID!) { checkout(id: $id) { saga { buyerId cartId completedSteps attempt deadlineAt awaiting } } }`;
    expect((await gql(progress, { id: checkout.id }, buyer)).checkout.saga).toBeNull();
    const saga = (await gql(progress, { id: checkout.id }, admin)).checkout.saga;
    // No cart service runs here: the saga waits for the cart's snapshot, first send.
    expect(saga).toMatchObject({
      buyerId: buyer.userId,
      completedSteps: [],
      attempt: 1,
      awaiting: 'cart.snapshot-cart',
    });
    expect(Date.parse(saga.deadlineAt)).toBeGreaterThan(Date.now());
    const byOrder = `query($o: ID!) { checkoutByOrder(orderId: $o) { id } }`;
    expect((await gql(byOrder, { o: checkout.orderId }, buyer)).checkoutByOrder.id).toBe(checkout.id);
    expect((await gql(byOrder, { o: checkout.orderId }, otherBuyer)).checkoutByOrder).toBeNull();
    expect((await gql(byOrder, { o: checkout.orderId })).checkoutByOrder).toBeNull();
  });

  it('re-sends a silent step with the same ids, then fails it with CHECKOUT.STEP_TIMED_OUT', async () => {
    const cartId = newId();
    const checkout = (await place(buyer, { cartId })).checkout;
    const expire = () => expireSteps(checkout.id);
    for (const attempt of [2, 3]) {
      await expire();
      await waitFor(async () => (await sagaRow(checkout.id)).attempt === attempt, CONSUMED_MS);
    }
    const commands = await sent('cart.snapshot-cart', cartId);
    expect(commands).toHaveLength(3);
    expect(new Set(commands.map((c) => c.envelope.id)).size).toBe(3);
    expect(
      commands.every(
        (c) => JSON.stringify(c.envelope.payload) === JSON.stringify(commands[0]!.envelope.payload),
      ),
    ).toBe(true);
    await expire();
    await waitFor(async () => (await sagaRow(checkout.id)).status === 'FAILED', CONSUMED_MS);
    const failed = await readCheckout(checkout.id);
    expect(failed.failure).toEqual({
      code: 'CHECKOUT.STEP_TIMED_OUT',
      message: expect.any(String),
      step: 'SNAPSHOT_CART',
    });
    expect(failed.timeline.filter((t: { event: string }) => t.event === 'RETRIED')).toHaveLength(2);
    expect(await sent('checkout.checkout-failed', checkout.id)).toHaveLength(1);
  });

  it('resumes after a restart: a deadline that passed while it was down is handled by the new process', async () => {
    const cartId = newId();
    const checkout = (await place(buyer, { cartId })).checkout;
    await waitFor(
      async () => (await sent('cart.snapshot-cart', cartId))[0]?.sent_at ?? undefined,
      CONSUMED_MS,
    );
    // While checkout is down the step's deadline passes (simulated through the database it left behind).
    await sut.restart();
    await expireSteps(checkout.id);
    await waitFor(async () => (await sagaRow(checkout.id)).attempt === 2, CONSUMED_MS);
    expect(await sent('cart.snapshot-cart', cartId)).toHaveLength(2);
  }, 60_000);

  itWithParticipants(
    'replies drive the saga to COMPLETED, with exact totals and splits',
    async () => {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      const cartLines = await driveToPayment(checkout, cartId);
      const [authorize] = await sent('payments.authorize-payment', checkout.paymentId);
      const payload = authorize!.envelope.payload as {
        amount: unknown;
        splits: { amount: { amount: number } }[];
      };
      expect(payload.amount).toEqual(money(2550 + 798));
      expect(payload.splits.map((s) => s.amount.amount).sort((a, b) => a - b)).toEqual([849, 2499]);
      await authorizeAndConfirm(checkout, 'sbx_1');
      expect(await sent('inventory.commit-reservation', `order:${checkout.orderId}`)).toHaveLength(1);
      const [clear] = await sent('cart.clear-cart', cartId);
      expect((clear!.envelope.payload as { lineIds: string[] }).lineIds).toEqual(
        cartLines.map((l) => l.lineId),
      );
      await reply('cart.cart-checked-out', cartId, {
        cartId,
        buyerId: buyer.userId,
        checkoutId: checkout.id,
        orderId: checkout.orderId,
        removedLineIds: cartLines.map((l) => l.lineId),
        version: 3,
      });
      await waitFor(async () => (await sagaRow(checkout.id)).status === 'COMPLETED', CONSUMED_MS);
      const done = await readCheckout(checkout.id);
      expect(done.total).toEqual(money(3348));
      const [completed] = await sent('checkout.checkout-completed', checkout.id);
      expect(completed!.envelope.payload).toMatchObject({ orderId: checkout.orderId, total: money(3348) });
    },
    REPLY_TEST_MS,
  );

  itWithParticipants(
    'past CONFIRM_ORDER, a cart that never answers completes the checkout without compensating',
    async () => {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      await driveToPayment(checkout, cartId);
      await authorizeAndConfirm(checkout, 'sbx_2');
      // The cart consumer is down: the last attempt of clear-cart passes its deadline.
      await expireSteps(checkout.id, 3);
      await waitFor(async () => (await sagaRow(checkout.id)).status === 'COMPLETED', CONSUMED_MS);
      const done = await readCheckout(checkout.id);
      expect(done.failure).toBeNull();
      expect(done.total).toEqual(money(3348));
      expect(done.timeline).toContainEqual({
        step: 'CLEAR_CART',
        event: 'TIMED_OUT',
        detail: expect.stringContaining('cart not cleared'),
      });
      expect(await sent('checkout.checkout-completed', checkout.id)).toHaveLength(1);
      expect(await sent('checkout.checkout-failed', checkout.id)).toHaveLength(0);
      expect(await sent('payments.void-payment', checkout.paymentId)).toHaveLength(0);
      expect(await sent('orders.cancel-order', checkout.orderId)).toHaveLength(0);
      expect(await sent('inventory.release-reservation', `order:${checkout.orderId}`)).toHaveLength(0);
    },
    REPLY_TEST_MS,
  );

  itWithParticipants(
    'a declined payment compensates in reverse and cancels the order with the decline',
    async () => {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      await driveToPayment(checkout, cartId);
      await reply('payments.payment-failed', checkout.paymentId, {
        paymentId: checkout.paymentId,
        orderId: checkout.orderId,
        checkoutId: checkout.id,
        buyerId: buyer.userId,
        code: 'PAYMENT.DECLINED',
        message: 'Your card was declined',
        declineCode: 'card_declined',
        version: 1,
      });
      await waitFor(async () => (await sagaRow(checkout.id)).status === 'FAILED', CONSUMED_MS);
      const failed = await readCheckout(checkout.id);
      expect(failed.failure).toEqual({
        code: 'PAYMENT.DECLINED',
        message: 'Your card was declined',
        step: 'AUTHORIZE_PAYMENT',
      });
      const compensations = failed.timeline
        .filter((t: { event: string }) => t.event === 'COMPENSATION_SENT')
        .map((t: { detail: string }) => t.detail);
      expect(compensations).toEqual(['inventory.release-reservation', 'orders.cancel-order']);
      const [cancel] = await sent('orders.cancel-order', checkout.orderId);
      expect(cancel!.envelope.payload).toMatchObject({
        code: 'PAYMENT.DECLINED',
        message: 'Your card was declined',
      });
      // A late duplicate of a reply is ignored.
      await reply('payments.payment-failed', checkout.paymentId, {
        paymentId: checkout.paymentId,
        orderId: checkout.orderId,
        checkoutId: checkout.id,
        buyerId: buyer.userId,
        code: 'PAYMENT.DECLINED',
        message: 'again',
        declineCode: null,
        version: 2,
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(await sent('orders.cancel-order', checkout.orderId)).toHaveLength(1);
    },
    REPLY_TEST_MS,
  );

  itWithParticipants(
    'a reply published while checkout is down is applied after the restart',
    async () => {
      const cartId = newId();
      const checkout = (await place(buyer, { cartId })).checkout;
      await waitFor(
        async () => (await sent('cart.snapshot-cart', cartId))[0]?.sent_at ?? undefined,
        CONSUMED_MS,
      );
      await sut.restart(() =>
        reply('cart.cart-snapshotted', checkout.id, {
          checkoutId: checkout.id,
          cartId,
          buyerId: buyer.userId,
          currency: 'EUR',
          couponCodes: [],
          lines: lines(cartId),
        }),
      );
      await waitFor(async () => (await sagaRow(checkout.id)).current_step === 'QUOTE_SHIPPING', 30_000);
      expect(await sent('shipping.quote-shipping', checkout.id)).toHaveLength(1);
    },
    REPLY_TEST_MS,
  );
});
