import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import {
  startStripeStandIn,
  type StripeStandIn,
} from '../../subgraphs/payments/test/support/stripe-stand-in.js';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { eventually, journey } from './journey.js';

const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Order-to-cash-admin-42' };
const secrets = {
  stripeWebhook: `whsec_e2e_${word}`,
  sandboxWebhook: `whsec_sandbox_${word}`,
  razorpayWebhook: `rzp_whsec_${word}`,
};
let market: Marketplace;
let stripeApi: StripeStandIn;
const stripe = new Stripe('sk_test_e2e_signing_only');
const {
  call,
  login,
  registerSeller,
  registerBuyer,
  approveStore,
  createCategory,
  setStock,
  publish,
  addToCart,
} = journey(() => market.gatewayUrl, word);

const ADDRESS = {
  fullName: 'Ada Buyer',
  line1: 'Hauptstrasse 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
const sku = (name: string) => `O2C-${word}-${name}`.toUpperCase();
const SKU = { lamp: sku('LAMP'), mug: sku('MUG'), last: sku('LAST'), kettle: sku('KETTLE') };

let adminToken: string;
let sellerA: Awaited<ReturnType<typeof registerSeller>>;
let sellerB: Awaited<ReturnType<typeof registerSeller>>;
let couponCode: string;

const CHECKOUT = `id status currentStep orderId total { amount currency } failure { code message } timeline { step event }`;

async function placeOrder(buyerToken: string, provider: string, token: string, idempotencyKey: string) {
  const cart = await call(`{ myCart { id } }`, {}, buyerToken);
  const r = await call(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
      ... on CheckoutPayload { checkout { ${CHECKOUT} } } ... on ErrorResult { code message field } } }`,
    {
      input: {
        cartId: cart.id,
        shippingAddress: ADDRESS,
        paymentMethod: { provider, token },
        idempotencyKey,
      },
    },
    buyerToken,
  );
  expect(r.checkout).toBeDefined();
  return r.checkout as { id: string; orderId: string; status: string };
}

/** Waits until the saga has finished one way or the other and returns it. */
const settled = (checkoutId: string, buyerToken: string, timeoutMs = 120_000) =>
  eventually(
    async () => {
      const c = await call(`{ checkout(id: "${checkoutId}") { ${CHECKOUT} } }`, {}, buyerToken);
      return c && (c.status === 'COMPLETED' || c.status === 'FAILED') ? c : undefined;
    },
    `checkout ${checkoutId} finishes`,
    timeoutMs,
  );

const ORDER = `id status currency subtotal { amount } shippingTotal { amount } discountTotal { amount } total { amount }
  cancellation { code message }
  subOrders { id sellerId status total { amount } lines { id sku productId quantity unitPrice { amount } } }
  payment { id status amount { amount } capturedAmount { amount } refundedAmount { amount } }`;
const order = (orderId: string, token: string) => call(`{ order(id: "${orderId}") { ${ORDER} } }`, {}, token);

async function availableOf(skuCode: string, sellerToken: string): Promise<number> {
  const r = await call(`{ myStock { items { sku available } } }`, {}, sellerToken);
  return r.items.find((i: { sku: string }) => i.sku === skuCode).available as number;
}

/** Posts a webhook to the sidecar as Stripe would, with the given raw body and signature header. */
async function postStripeWebhook(body: string, signature: string | null) {
  const res = await fetch(`${market.webhooksUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

const ledgerBalances = () =>
  call(`{ ledgerBalances { balanced accounts { account currency debit credit balance } } }`, {}, adminToken);

beforeAll(async () => {
  stripeApi = await startStripeStandIn({ secretKey: 'sk_test_e2e' });
  market = await startMarketplace(suffix, (ports) => ({
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_API_BASE: stripeApi.url,
    STRIPE_WEBHOOK_SECRET: secrets.stripeWebhook,
    RAZORPAY_WEBHOOK_SECRET: secrets.razorpayWebhook,
    PAYMENTS_SANDBOX_ENABLED: 'true',
    SANDBOX_WEBHOOK_SECRET: secrets.sandboxWebhook,
    SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ports.webhooks}/webhooks/sandbox`,
    // Long enough that a process restarted within the test is not given up on.
    CHECKOUT_STEP_TIMEOUT_MS: '20000',
    CHECKOUT_STEP_ATTEMPTS: '6',
  }));

  adminToken = await login(admin.email, admin.password);
  sellerA = await registerSeller('atlas');
  sellerB = await registerSeller('boreas');
  for (const seller of [sellerA, sellerB]) await approveStore(seller.storeId, adminToken);
  const category = await createCategory('Home', adminToken);
  const product = async (
    seller: typeof sellerA,
    name: string,
    skuCode: string,
    amount: number,
    onHand: number,
  ) => {
    const created = await call(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
      {
        input: {
          name: `${name} ${word}`,
          description: `A ${name.toLowerCase()} for the order-to-cash journey`,
          categoryId: category,
          images: [{ url: `https://images.example.com/${skuCode}.jpg`, alt: name, width: 800, height: 800 }],
          variants: [{ sku: skuCode, name: 'Standard', price: { amount, currency: 'EUR' } }],
        },
      },
      seller.token,
    );
    await setStock(skuCode, onHand, seller.token);
    await publish(created.product.id, seller.token);
  };
  await product(sellerA, 'Desk lamp', SKU.lamp, 2500, 40);
  await product(sellerB, 'Coffee mug', SKU.mug, 4000, 40);
  await product(sellerA, 'Last vase', SKU.last, 9900, 1);
  await product(sellerA, 'Kettle', SKU.kettle, 3000, 10);
  couponCode = `LAMP10${word}`.toUpperCase().slice(0, 30);
  const coupon = await call(
    `mutation($input: CreateCouponInput!) { createCoupon(input: $input) { ... on CouponPayload { coupon { id } } ... on ErrorResult { code message } } }`,
    { input: { code: couponCode, kind: 'PERCENTAGE', percentOff: 10 } },
    sellerA.token,
  );
  expect(coupon.coupon.id).toEqual(expect.any(String));
}, 600_000);

afterAll(async () => {
  await market?.stop();
  await stripeApi?.close();
});

describe('order to cash through the gateway', () => {
  let paidOrderId: string;
  let buyer: Awaited<ReturnType<typeof registerBuyer>>;

  it('cart to delivered order with a card payment, a signed provider webhook, two sellers each seeing only their sub-order', async () => {
    buyer = await registerBuyer('Ada Buyer');
    await addToCart(SKU.lamp, 2, buyer.token);
    await addToCart(SKU.mug, 1, buyer.token);
    const applied = await call(
      `mutation { applyCouponCode(code: "${couponCode}") { ... on CartPayload { cart { couponCodes } } ... on ErrorResult { code } } }`,
      {},
      buyer.token,
    );
    expect(applied.cart.couponCodes).toEqual([couponCode]);

    const started = await placeOrder(buyer.token, 'STRIPE', 'pm_card_visa', `happy-${word}`);
    expect(started.status).toBe('RUNNING');
    // The same key with the same input answers with the same checkout.
    const again = await placeOrder(buyer.token, 'STRIPE', 'pm_card_visa', `happy-${word}`);
    expect(again.id).toBe(started.id);

    const done = await settled(started.id, buyer.token);
    expect(done.failure).toBeNull();
    expect(done.status).toBe('COMPLETED');
    paidOrderId = done.orderId;

    const paid = await eventually(async () => {
      const o = await order(paidOrderId, buyer.token);
      return o.status === 'PAID' ? o : undefined;
    }, 'the payment is captured and the order paid');
    // 2 × 25.00 + 40.00; 10 % off the seller A lines only.
    expect(paid.subtotal.amount).toBe(9000);
    expect(paid.discountTotal.amount).toBe(500);
    expect(paid.total.amount).toBe(9000 - 500 + paid.shippingTotal.amount);
    expect(paid.total.amount).toBe(done.total.amount);
    expect(paid.subOrders).toHaveLength(2);
    expect(paid.payment).toMatchObject({
      status: 'CAPTURED',
      amount: { amount: paid.total.amount },
      capturedAmount: { amount: paid.total.amount },
      refundedAmount: { amount: 0 },
    });
    // The cart is emptied by the last step.
    expect(await call(`{ myCart { id lines { id } } }`, {}, buyer.token)).toBeNull();

    // Each seller sees its own sub-order only, also through the Order entity.
    for (const [seller, mine] of [
      [sellerA, SKU.lamp],
      [sellerB, SKU.mug],
    ] as const) {
      const subs = await call(`{ sellerSubOrders { nodes { id orderId lines { sku } } } }`, {}, seller.token);
      const forOrder = subs.nodes.filter((s: { orderId: string }) => s.orderId === paidOrderId);
      expect(forOrder).toHaveLength(1);
      expect(forOrder[0].lines.map((l: { sku: string }) => l.sku)).toEqual([mine]);
      const seen = await order(paidOrderId, seller.token);
      expect(seen.subOrders.map((s: { lines: { sku: string }[] }) => s.lines[0]!.sku)).toEqual([mine]);
    }

    // The provider's own webhook for the capture, signed as Stripe signs it: accepted once,
    // a redelivery is acknowledged as a duplicate, and neither changes the payment again.
    const paymentIntentId = [...stripeApi.intents.keys()].at(-1)!;
    const succeeded = JSON.stringify({
      id: `evt_succeeded_${word}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: paymentIntentId,
          object: 'payment_intent',
          amount: paid.total.amount,
          amount_received: paid.total.amount,
          currency: 'eur',
          status: 'succeeded',
        },
      },
    });
    const header = stripe.webhooks.generateTestHeaderString({
      payload: succeeded,
      secret: secrets.stripeWebhook,
    });
    expect((await postStripeWebhook(succeeded, header)).status).toBe(200);
    const duplicate = await postStripeWebhook(succeeded, header);
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toMatchObject({ duplicate: true });

    // Shipping: one shipment per sub-order; each seller dispatches its own, delivery completes.
    for (const seller of [sellerA, sellerB]) {
      const shipment = await eventually(async () => {
        const mine = await call(`{ myShipments { id orderId status } }`, {}, seller.token);
        return mine.find((s: { orderId: string }) => s.orderId === paidOrderId);
      }, 'shipping opens a shipment for the paid sub-order');
      const dispatched = await call(
        `mutation { dispatchShipment(shipmentId: "${shipment.id}", carrier: "DHL", trackingNumber: "TRK${word}") {
          ... on ShipmentPayload { shipment { status trackingNumber } } ... on ErrorResult { code message } } }`,
        {},
        seller.token,
      );
      expect(dispatched.shipment.status).toBe('DISPATCHED');
      const delivered = await call(
        `mutation { confirmDelivery(shipmentId: "${shipment.id}") {
          ... on ShipmentPayload { shipment { status } } ... on ErrorResult { code message } } }`,
        {},
        seller.token,
      );
      expect(delivered.shipment.status).toBe('DELIVERED');
    }
    const completed = await eventually(async () => {
      const o = await order(paidOrderId, buyer.token);
      return o.status === 'COMPLETED' ? o : undefined;
    }, 'delivery completes the order');
    expect(completed.payment.capturedAmount.amount).toBe(paid.total.amount);
    // The dispatch took the sold lamps off the shelf: nothing of them stays committed, and on hand
    // is what the seller would count.
    const lamps = await eventually(async () => {
      const mine = await call(
        `{ myStock { items { sku onHand available reserved committed } } }`,
        {},
        sellerA.token,
      );
      const lamp = mine.items.find((i: { sku: string }) => i.sku === SKU.lamp);
      return lamp.committed === 0 ? lamp : undefined;
    }, 'the dispatched lamps leave the books');
    expect(lamps).toMatchObject({ onHand: 38, available: 38, committed: 0 });

    // The buyer was told, once per event, through the development channel.
    const notes = await eventually(async () => {
      const r = await call(
        `{ myNotifications(first: 50) { items { kind channel subject } } }`,
        {},
        buyer.token,
      );
      return r.items.length >= 3 ? r.items : undefined;
    }, 'notifications are stored');
    const kinds = notes.map((n: { kind: string }) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['orders.order-confirmed', 'orders.order-paid']));
    // One message per event and channel: no redelivery doubled the confirmation.
    const confirmations = notes.filter((n: { kind: string }) => n.kind === 'orders.order-confirmed');
    const channels = confirmations.map((n: { channel: string }) => n.channel);
    expect(new Set(channels).size).toBe(channels.length);
    expect((await ledgerBalances()).balanced).toBe(true);

    // The buyer rates the delivered lamp; its rating shows through the gateway.
    const lampId = (await order(paidOrderId, buyer.token)).subOrders
      .flatMap((s: { lines: { sku: string; productId: string }[] }) => s.lines)
      .find((l: { sku: string }) => l.sku === SKU.lamp).productId as string;
    const review = await eventually(async () => {
      const r = await call(
        `mutation($input: SubmitReviewInput!) { submitReview(input: $input) {
          __typename ... on ReviewPayload { review { stars status } } ... on ErrorResult { code } } }`,
        { input: { productId: lampId, stars: 4, title: 'Bright enough' } },
        buyer.token,
      );
      // Refused (and nothing written) until reviews has consumed the delivery.
      return r.__typename === 'ReviewPayload' ? r.review : undefined;
    }, 'the delivered lamp can be reviewed');
    expect(review).toEqual({ stars: 4, status: 'PUBLISHED' });
    const rated = await call(
      `{ product(id: "${lampId}") { rating { average count } seller { rating { count } } } }`,
      {},
      buyer.token,
    );
    expect(rated).toEqual({ rating: { average: 4, count: 1 }, seller: { rating: { count: 1 } } });
  }, 600_000);

  it('forged webhooks (one changed byte, wrong secret, stale timestamp, no signature) are refused and change nothing', async () => {
    const paymentIntentId = [...stripeApi.intents.keys()].at(-1)!;
    const before = await order(paidOrderId, buyer.token);
    const refund = JSON.stringify({
      id: `evt_forged_${word}`,
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `ch_forged_${word}`,
          object: 'charge',
          payment_intent: paymentIntentId,
          amount: before.total.amount,
          amount_refunded: before.total.amount,
          currency: 'eur',
          refunded: true,
        },
      },
    });
    const valid = stripe.webhooks.generateTestHeaderString({
      payload: refund,
      secret: secrets.stripeWebhook,
    });
    const changedByte = refund.replace(
      `"amount":${before.total.amount}`,
      `"amount":${before.total.amount + 1}`,
    );
    expect(changedByte).not.toBe(refund);
    const stale = stripe.webhooks.generateTestHeaderString({
      payload: refund,
      secret: secrets.stripeWebhook,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const wrongSecret = stripe.webhooks.generateTestHeaderString({
      payload: refund,
      secret: 'whsec_not_ours',
    });
    for (const [body, signature] of [
      [changedByte, valid],
      [refund, wrongSecret],
      [refund, stale],
      [refund, null],
    ] as const) {
      expect((await postStripeWebhook(body, signature)).status).toBe(400);
    }
    // Give a wrongly accepted event time to travel before looking.
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await order(paidOrderId, buyer.token);
    expect(after.payment).toEqual(before.payment);
    expect(after.status).toBe('COMPLETED');
  });

  it('a partial refund requested by the buyer and approved by the seller moves the ledger', async () => {
    const o = await order(paidOrderId, buyer.token);
    const subA = o.subOrders.find((s: { lines: { sku: string }[] }) =>
      s.lines.some((l) => l.sku === SKU.lamp),
    );
    expect(subA.sellerId).toBe(sellerA.storeId);
    const lampLine = subA.lines.find((l: { sku: string }) => l.sku === SKU.lamp);
    const requested = await call(
      `mutation($input: RequestRefundInput!) { requestRefund(input: $input) {
        ... on RefundRequestPayload { refundRequest { id status amount { amount } } } ... on ErrorResult { code message } } }`,
      {
        input: {
          orderId: paidOrderId,
          subOrderId: subA.id,
          lines: [{ lineId: lampLine.id, quantity: 1 }],
          reason: 'Arrived cracked',
        },
      },
      buyer.token,
    );
    // One lamp: 25.00 less its share of the 10 % discount.
    expect(requested.refundRequest).toMatchObject({ status: 'REQUESTED', amount: { amount: 2250 } });
    const byOtherSeller = await call(
      `mutation { approveRefund(refundRequestId: "${requested.refundRequest.id}") { ... on ErrorResult { code } } }`,
      {},
      sellerB.token,
    );
    expect(byOtherSeller.code).toMatch(/NOT_FOUND|FORBIDDEN/);
    const balancesBefore = await ledgerBalances();
    const approved = await call(
      `mutation { approveRefund(refundRequestId: "${requested.refundRequest.id}") {
        ... on RefundRequestPayload { refundRequest { status } } ... on ErrorResult { code message } } }`,
      {},
      sellerA.token,
    );
    expect(approved.refundRequest.status).toMatch(/APPROVED|COMPLETED/);
    const refunded = await eventually(async () => {
      const r = await order(paidOrderId, buyer.token);
      return r.payment.refundedAmount.amount === 2250 ? r : undefined;
    }, 'payments refunds through the provider');
    expect(refunded.payment.capturedAmount.amount).toBe(o.total.amount);

    const balances = await ledgerBalances();
    expect(balances.balanced).toBe(true);
    const balanceOf = (b: typeof balances, account: string) =>
      b.accounts.find((a: { account: string }) => a.account === account)?.balance ?? 0;
    // The buyer gets 22.50 back; the seller's payable and the platform's commission give it up.
    const buyerAccount = `buyer:${buyer.userId}`;
    const sellerAccount = `seller-payable:${sellerA.storeId}`;
    const moved = (account: string) => balanceOf(balances, account) - balanceOf(balancesBefore, account);
    expect(Math.abs(moved(buyerAccount))).toBe(2250);
    expect(Math.abs(moved(sellerAccount)) + Math.abs(moved('platform:commission'))).toBe(2250);
    const entries = await call(
      `{ ledgerEntries(orderId: "${paidOrderId}") { kind lines { account side amount { amount } } } }`,
      {},
      adminToken,
    );
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      const sum = (side: string) =>
        entry.lines
          .filter((l: { side: string }) => l.side === side)
          .reduce((t: number, l: { amount: { amount: number } }) => t + l.amount.amount, 0);
      expect(sum('DEBIT')).toBe(sum('CREDIT'));
      expect(sum('DEBIT')).toBeGreaterThan(0);
    }
  }, 300_000);

  it('a declined card releases the stock and the coupon and cancels the order with a reason', async () => {
    const decliner = await registerBuyer('Dee Cliner');
    const lampBefore = await availableOf(SKU.lamp, sellerA.token);
    await addToCart(SKU.lamp, 1, decliner.token);
    await call(
      `mutation { applyCouponCode(code: "${couponCode}") { ... on CartPayload { cart { id } } } }`,
      {},
      decliner.token,
    );
    const started = await placeOrder(decliner.token, 'SANDBOX', 'tok_sandbox_decline', `decline-${word}`);
    const failed = await settled(started.id, decliner.token);
    expect(failed.status).toBe('FAILED');
    expect(failed.failure.code).toBe('PAYMENT.DECLINED');
    const cancelled = await eventually(async () => {
      const o = await order(failed.orderId, decliner.token);
      return o.status === 'CANCELLED' ? o : undefined;
    }, 'the order is cancelled');
    expect(cancelled.cancellation.code).toBe('PAYMENT.DECLINED');
    expect(cancelled.cancellation.message).toEqual(expect.any(String));
    // The cart keeps its line, so the released lamp goes back to the cart's hold: it stays off
    // sale until the buyer removes the line.
    await eventually(
      async () => (await availableOf(SKU.lamp, sellerA.token)) === lampBefore - 1,
      'the reserved lamp is held by the cart again',
    );
    // The released redemption lets the same buyer use the code again (the release is a
    // compensation of its own, so it may land after the lamp's).
    const coupons = await eventually(async () => {
      const pricing = await call(`{ myCart { pricing { coupons { code status } } } }`, {}, decliner.token);
      const listed = pricing.pricing.coupons as { code: string; status: string }[];
      return listed.every((c) => c.status === 'APPLIED') ? listed : undefined;
    }, 'the redemption is released');
    expect(coupons).toEqual([{ code: couponCode, status: 'APPLIED' }]);
    const cart = await call(`{ myCart { lines { id sku } } }`, {}, decliner.token);
    const lampLine = cart.lines.find((l: { sku: string }) => l.sku === SKU.lamp);
    await call(`mutation { removeLine(lineId: "${lampLine.id}") { __typename } }`, {}, decliner.token);
    await eventually(
      async () => (await availableOf(SKU.lamp, sellerA.token)) === lampBefore,
      'the removed line gives the lamp back',
    );
  }, 300_000);

  it('a saga interrupted by killed processes resumes after they restart and completes', async () => {
    const patient = await registerBuyer('Pat Ient');
    await addToCart(SKU.mug, 1, patient.token);
    await market.kill('payments');
    const started = await placeOrder(patient.token, 'SANDBOX', 'tok_sandbox_approve', `crash-${word}`);
    await eventually(async () => {
      const c = await call(`{ checkout(id: "${started.id}") { currentStep } }`, {}, patient.token);
      return c.currentStep === 'AUTHORIZE_PAYMENT';
    }, 'the saga waits for the payment step');
    await market.kill('checkout');
    await market.restart('payments');
    await market.restart('checkout');
    const done = await settled(started.id, patient.token);
    expect(done.status).toBe('COMPLETED');
    const o = await eventually(async () => {
      const r = await order(done.orderId, patient.token);
      return r.status === 'PAID' ? r : undefined;
    }, 'the resumed order is paid');
    expect(o.payment.capturedAmount.amount).toBe(done.total.amount);
  }, 300_000);

  it('the last unit bought by 50 concurrent buyers sells exactly once', async () => {
    const buyers = await Promise.all(Array.from({ length: 50 }, (_, i) => registerBuyer(`Racer ${i}`)));
    for (const b of buyers) await addToCart(SKU.last, 1, b.token);
    const started = await Promise.all(
      buyers.map((b, i) => placeOrder(b.token, 'SANDBOX', 'tok_sandbox_approve', `race-${i}-${word}`)),
    );
    const outcomes = await Promise.all(started.map((c, i) => settled(c.id, buyers[i]!.token, 240_000)));
    const completed = outcomes.filter((c) => c.status === 'COMPLETED');
    expect(completed).toHaveLength(1);
    const failures = outcomes.filter((c) => c.status === 'FAILED').map((c) => c.failure.code);
    expect(failures).toHaveLength(49);
    expect(new Set(failures)).toEqual(new Set(['RESERVATION.INSUFFICIENT_STOCK']));
    const stock = await call(
      `{ myStock { items { sku onHand available reserved committed } } }`,
      {},
      sellerA.token,
    );
    expect(stock.items.find((i: { sku: string }) => i.sku === SKU.last)).toMatchObject({
      onHand: 1,
      available: 0,
    });
  }, 600_000);

  it('two accounts registered on the spot cannot keep a paying buyer from the stock their carts hold', async () => {
    const hoarders = await Promise.all([registerBuyer('Hoarder One'), registerBuyer('Hoarder Two')]);
    for (const hoarder of hoarders) await addToCart(SKU.kettle, 5, hoarder.token);
    await eventually(
      async () => (await availableOf(SKU.kettle, sellerA.token)) === 0,
      'the two carts hold every kettle (5 each, the per-line cap)',
    );
    const real = await registerBuyer('Real Buyer');
    await addToCart(SKU.kettle, 1, real.token);
    const started = await placeOrder(real.token, 'SANDBOX', 'tok_sandbox_approve', `hoard-${word}`);
    const done = await settled(started.id, real.token);
    expect(done.failure).toBeNull();
    expect(done.status).toBe('COMPLETED');
  }, 300_000);
});
