import { describe, expect, it } from '@jest/globals';
import {
  CheckoutSaga,
  STEPS,
  STEP_PREREQUISITES,
  checkoutStatus,
  type CheckoutStep,
  type Line,
} from './checkout-saga.js';
import { defaultLines, line, SELLER_A, SELLER_B, startInput, successFor, uuid } from './saga.fixtures.js';

const timing = (ms = 0) => ({ now: new Date(Date.UTC(2026, 10, 21, 12, 0, 0, ms)), stepTimeoutMs: 30_000 });

const commandTypes = (saga: CheckoutSaga) => saga.pullEvents().map((e) => e.type);

/** Starts a saga and answers every step successfully until `until` is the current step. */
function runUntil(until: CheckoutStep | null, lines: Line[] = defaultLines(), codes: string[] = ['SAVE10']) {
  const saga = CheckoutSaga.start(startInput(), timing());
  while (saga.status === 'RUNNING' && saga.currentStep !== until) {
    expect(saga.handleReply(successFor(saga, lines, codes), timing())).toBe('applied');
  }
  return saga;
}

describe('CheckoutSaga state machine', () => {
  it('has RUNNING -> COMPLETED | COMPENSATING -> FAILED, and terminal COMPLETED/FAILED', () => {
    expect(checkoutStatus.can('RUNNING', 'COMPLETED')).toBe(true);
    expect(checkoutStatus.can('RUNNING', 'COMPENSATING')).toBe(true);
    expect(checkoutStatus.can('COMPENSATING', 'FAILED')).toBe(true);
    expect(checkoutStatus.can('COMPLETED', 'FAILED')).toBe(false);
    expect(checkoutStatus.isTerminal('FAILED')).toBe(true);
  });

  it('orders the steps by what each one needs: every prerequisite comes earlier in STEPS', () => {
    for (const step of STEPS)
      for (const before of STEP_PREREQUISITES[step])
        expect(STEPS.indexOf(before)).toBeLessThan(STEPS.indexOf(step));
    expect(STEP_PREREQUISITES.RESERVE_STOCK).toEqual(['SNAPSHOT_CART']);
    expect(STEP_PREREQUISITES.AUTHORIZE_PAYMENT).toEqual(['CREATE_ORDER', 'RESERVE_STOCK', 'REDEEM_COUPONS']);
  });

  it('starts RUNNING at SNAPSHOT_CART with checkout-started and the snapshot command', () => {
    const saga = CheckoutSaga.start(startInput(), timing());
    expect(saga.status).toBe('RUNNING');
    expect(saga.currentStep).toBe('SNAPSHOT_CART');
    expect(saga.attempt).toBe(1);
    expect(saga.deadlineAt?.getTime()).toBe(timing().now.getTime() + 30_000);
    expect(commandTypes(saga)).toEqual(['checkout.checkout-started', 'cart.snapshot-cart']);
  });

  it('walks every step to COMPLETED (independent ones started together), committing the reservation at confirmation', () => {
    const saga = CheckoutSaga.start(startInput(), timing());
    const sent: string[] = commandTypes(saga);
    const lines = defaultLines();
    for (const step of STEPS) {
      expect(saga.currentStep).toBe(step);
      saga.handleReply(successFor(saga, lines, ['SAVE10']), timing());
      sent.push(...commandTypes(saga));
    }
    expect(saga.status).toBe('COMPLETED');
    expect(sent).toEqual([
      'checkout.checkout-started',
      'cart.snapshot-cart',
      'shipping.quote-shipping',
      'inventory.reserve-stock',
      'orders.create-order',
      'coupons.redeem-coupons',
      'payments.authorize-payment',
      'orders.confirm-order',
      'inventory.commit-reservation',
      'cart.clear-cart',
      'checkout.checkout-completed',
    ]);
    expect(saga.deadlineAt).toBeNull();
    expect(saga.inFlight).toEqual([]);
    expect(saga.timeline.at(-1)?.event).toBe('COMPLETED');
  });

  it('skips REDEEM_COUPONS when the cart has no codes', () => {
    const saga = runUntil('AUTHORIZE_PAYMENT', defaultLines(), []);
    expect(saga.completedSteps).not.toContain('REDEEM_COUPONS');
    expect(saga.timeline.some((t) => t.step === 'REDEEM_COUPONS' && t.event === 'SKIPPED')).toBe(true);
    expect(saga.pullEvents().map((e) => e.type)).not.toContain('coupons.redeem-coupons');
  });

  it('ignores replies for another step and replies after the saga finished', () => {
    const saga = runUntil('CREATE_ORDER');
    expect(saga.handleReply({ kind: 'PAYMENT_AUTHORIZED', providerReference: 'x' }, timing())).toBe(
      'ignored',
    );
    expect(saga.handleReply({ kind: 'CART_SNAPSHOTTED', snapshot: saga.snapshot! }, timing())).toBe(
      'ignored',
    );
    saga.handleReply({ kind: 'REJECTED', step: 'CREATE_ORDER', code: 'ORDER.X', message: 'no' }, timing());
    expect(saga.status).toBe('FAILED');
    const version = saga.version;
    expect(saga.handleReply({ kind: 'ORDER_CREATED', subOrders: [] }, timing())).toBe('ignored');
    expect(saga.version).toBe(version);
  });

  it('carries the same ids in every command (orderId, paymentId, reference)', () => {
    const saga = runUntil('CONFIRM_ORDER');
    const payloads = saga.pullEvents().map((e): Record<string, unknown> => ({ ...e.payload }));
    const reserve = payloads.find((p) => 'reference' in p);
    expect(reserve?.reference).toBe(`order:${saga.orderId}`);
    expect(reserve?.releaseCartHold).toBe(`cart:${saga.cartId}`);
    const authorize = payloads.find((p) => 'splits' in p);
    expect(authorize?.paymentId).toBe(saga.paymentId);
    expect(authorize?.idempotencyKey).toBe(`checkout:${saga.id}:authorize`);
  });
});

describe('steps in parallel', () => {
  const lines = defaultLines();
  const reply = (saga: CheckoutSaga, step: CheckoutStep, codes = ['SAVE10'], ms = 0) =>
    saga.handleReply(successFor(saga, lines, codes, step), timing(ms));
  const inFlight = (saga: CheckoutSaga) => saga.inFlight.map((f) => f.step);

  it('starts the reservation with the shipping quote once the cart is snapshotted', () => {
    const saga = CheckoutSaga.start(startInput(), timing());
    saga.pullEvents();
    expect(reply(saga, 'SNAPSHOT_CART', ['SAVE10'], 5)).toBe('applied');
    expect(commandTypes(saga)).toEqual(['shipping.quote-shipping', 'inventory.reserve-stock']);
    expect(inFlight(saga)).toEqual(['QUOTE_SHIPPING', 'RESERVE_STOCK']);
    expect(saga.inFlight.map((f) => f.attempt)).toEqual([1, 1]);
    expect(saga.currentStep).toBe('QUOTE_SHIPPING');
    expect(saga.deadlineAt).toEqual(new Date(timing(5).now.getTime() + 30_000));
    expect(saga.timeline.filter((t) => t.event === 'COMMAND_SENT').map((t) => t.step)).toEqual([
      'SNAPSHOT_CART',
      'QUOTE_SHIPPING',
      'RESERVE_STOCK',
    ]);
  });

  it('starts the order and the coupons together once shipping is quoted', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    saga.pullEvents();
    reply(saga, 'QUOTE_SHIPPING');
    expect(commandTypes(saga)).toEqual(['orders.create-order', 'coupons.redeem-coupons']);
    expect(inFlight(saga)).toEqual(['CREATE_ORDER', 'RESERVE_STOCK', 'REDEEM_COUPONS']);
    expect(saga.orderRequested).toBe(true);
  });

  it.each([
    ['CREATE_ORDER', 'RESERVE_STOCK', 'REDEEM_COUPONS'],
    ['REDEEM_COUPONS', 'RESERVE_STOCK', 'CREATE_ORDER'],
    ['RESERVE_STOCK', 'REDEEM_COUPONS', 'CREATE_ORDER'],
  ] as CheckoutStep[][])(
    'authorizes the payment once order, stock and coupons answered, in any order (%s, %s, %s)',
    (...order) => {
      const saga = runUntil('QUOTE_SHIPPING', lines);
      reply(saga, 'QUOTE_SHIPPING');
      saga.pullEvents();
      for (const step of order.slice(0, 2)) {
        expect(reply(saga, step)).toBe('applied');
        expect(commandTypes(saga)).toEqual([]);
      }
      expect(saga.currentStep).toBe(order[2]);
      expect(reply(saga, order[2]!)).toBe('applied');
      expect(commandTypes(saga)).toEqual(['payments.authorize-payment']);
      expect(saga.status).toBe('RUNNING');
      expect(inFlight(saga)).toEqual(['AUTHORIZE_PAYMENT']);
      // The discounts were checked without the sub-orders, the splits use both.
      expect(saga.splits().reduce((a, x) => a + x.amount, 0)).toBe(saga.totals().total);
      // A second answer of a step already done is ignored.
      expect(reply(saga, order[0]!)).toBe('ignored');
    },
  );

  it('answers the reservation before shipping is quoted', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    saga.pullEvents();
    expect(reply(saga, 'RESERVE_STOCK')).toBe('applied');
    expect(commandTypes(saga)).toEqual([]);
    expect(inFlight(saga)).toEqual(['QUOTE_SHIPPING']);
    reply(saga, 'QUOTE_SHIPPING');
    expect(commandTypes(saga)).toEqual(['orders.create-order', 'coupons.redeem-coupons']);
    expect(saga.completedSteps).toEqual(['SNAPSHOT_CART', 'RESERVE_STOCK', 'QUOTE_SHIPPING']);
  });

  it('skips the coupons without codes: payment waits for order and stock only', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines, []);
    saga.pullEvents();
    reply(saga, 'QUOTE_SHIPPING', []);
    expect(commandTypes(saga)).toEqual(['orders.create-order']);
    expect(saga.timeline.filter((t) => t.step === 'REDEEM_COUPONS').map((t) => t.event)).toEqual(['SKIPPED']);
    reply(saga, 'CREATE_ORDER', []);
    expect(commandTypes(saga)).toEqual([]);
    reply(saga, 'RESERVE_STOCK', []);
    expect(commandTypes(saga)).toEqual(['payments.authorize-payment']);
    expect(saga.completedSteps).not.toContain('REDEEM_COUPONS');
  });

  it('a rejection of the stock while order and coupons are in flight undoes both, and ignores their late replies', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    reply(saga, 'QUOTE_SHIPPING');
    saga.pullEvents();
    saga.handleReply(
      { kind: 'REJECTED', step: 'RESERVE_STOCK', code: 'INVENTORY.OUT_OF_STOCK', message: 'none left' },
      timing(),
    );
    // Not the reservation: its rejection proves it reserved nothing.
    expect(commandTypes(saga)).toEqual([
      'coupons.release-redemptions',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.failure).toEqual({
      step: 'RESERVE_STOCK',
      code: 'INVENTORY.OUT_OF_STOCK',
      message: 'none left',
    });
    expect(saga.currentStep).toBe('RESERVE_STOCK');
    const version = saga.version;
    expect(reply(saga, 'CREATE_ORDER')).toBe('ignored');
    expect(reply(saga, 'REDEEM_COUPONS')).toBe('ignored');
    expect(saga.version).toBe(version);
    expect(commandTypes(saga)).toEqual([]);
  });

  it('a rejection of shipping while the reservation is in flight releases it (no order was asked for)', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    saga.pullEvents();
    saga.handleReply(
      { kind: 'REJECTED', step: 'QUOTE_SHIPPING', code: 'SHIPPING.NO_ROUTE', message: 'no' },
      timing(),
    );
    expect(commandTypes(saga)).toEqual(['inventory.release-reservation', 'checkout.checkout-failed']);
    expect(saga.orderRequested).toBe(false);
    expect(saga.handleReply({ kind: 'STOCK_RESERVED' }, timing())).toBe('ignored');
  });

  it('names the failed step in checkout-failed', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    reply(saga, 'QUOTE_SHIPPING');
    reply(saga, 'CREATE_ORDER');
    saga.pullEvents();
    saga.handleReply({ kind: 'REJECTED', step: 'REDEEM_COUPONS', code: 'COUPON.X', message: 'no' }, timing());
    const failed = saga.pullEvents().find((e) => e.type === 'checkout.checkout-failed');
    expect(failed?.payload).toMatchObject({ failedStep: 'REDEEM_COUPONS', code: 'COUPON.X' });
  });

  it('times out one of two steps in flight on its own deadline; giving up undoes the other too', () => {
    const saga = CheckoutSaga.start(startInput(), timing());
    reply(saga, 'SNAPSHOT_CART');
    reply(saga, 'QUOTE_SHIPPING', ['SAVE10'], 10_000);
    // In flight: RESERVE_STOCK (deadline 30 s), CREATE_ORDER and REDEEM_COUPONS (40 s).
    reply(saga, 'CREATE_ORDER', ['SAVE10'], 11_000);
    saga.pullEvents();
    expect(saga.deadlineAt).toEqual(new Date(timing(30_000).now));
    expect(saga.timeOut(timing(30_000), 2)).toBe('retried');
    expect(commandTypes(saga)).toEqual(['inventory.reserve-stock']);
    const attempts = () => Object.fromEntries(saga.inFlight.map((f) => [f.step, f.attempt]));
    expect(attempts()).toEqual({ RESERVE_STOCK: 2, REDEEM_COUPONS: 1 });
    expect(saga.deadlineAt).toEqual(new Date(timing(40_000).now));
    expect(saga.timeOut(timing(39_000), 2)).toBe('ignored');
    expect(saga.timeOut(timing(40_000), 2)).toBe('retried');
    expect(commandTypes(saga)).toEqual(['coupons.redeem-coupons']);
    expect(attempts()).toEqual({ RESERVE_STOCK: 2, REDEEM_COUPONS: 2 });
    // The coupons answer; the reservation stays silent and gives up after its second send.
    reply(saga, 'REDEEM_COUPONS', ['SAVE10'], 41_000);
    expect(saga.timeOut(timing(60_000), 2)).toBe('failed');
    expect(commandTypes(saga)).toEqual([
      'inventory.release-reservation',
      'coupons.release-redemptions',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.failure).toMatchObject({ step: 'RESERVE_STOCK', code: 'CHECKOUT.STEP_TIMED_OUT' });
  });

  it('gives up without sending again the other step due with the one that used up its sends', () => {
    const saga = CheckoutSaga.start(startInput(), timing());
    reply(saga, 'SNAPSHOT_CART', []);
    expect(saga.timeOut(timing(30_000), 2)).toBe('retried');
    // Quotes answer: the order is asked for (deadline 61 s); the reservation's second send waits until 60 s.
    reply(saga, 'QUOTE_SHIPPING', [], 31_000);
    saga.pullEvents();
    expect(saga.timeOut(timing(61_000), 2)).toBe('failed');
    // No create-order again just to cancel it: the reservation's silence ends the saga first.
    expect(commandTypes(saga)).toEqual([
      'inventory.release-reservation',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.failure).toMatchObject({ step: 'RESERVE_STOCK', code: 'CHECKOUT.STEP_TIMED_OUT' });
    expect(saga.timeline.filter((t) => t.event === 'RETRIED').map((t) => t.step)).toEqual([
      'QUOTE_SHIPPING',
      'RESERVE_STOCK',
    ]);
  });

  it('postpones each due step once per outage and counts no attempt', () => {
    const saga = runUntil('QUOTE_SHIPPING', lines);
    saga.pullEvents();
    expect(saga.postpone(timing(29_000), 'broker down')).toBe(false);
    expect(saga.postpone(timing(30_000), 'broker down')).toBe(true);
    expect(saga.postpone(timing(60_000), 'broker down')).toBe(true);
    const postponed = saga.timeline.filter((t) => t.event === 'POSTPONED').map((t) => t.step);
    expect(postponed).toEqual(['QUOTE_SHIPPING', 'RESERVE_STOCK']);
    expect(saga.inFlight.map((f) => f.attempt)).toEqual([1, 1]);
    expect(saga.deadlineAt).toEqual(new Date(timing(90_000).now));
    expect(commandTypes(saga)).toEqual([]);
  });
});

describe('compensation', () => {
  // When `failing` is the current step, which steps are done and which others are in flight
  // (runUntil answers the earliest step in flight first): all of them are undone, latest first.
  const undone: [CheckoutStep, string[]][] = [
    ['SNAPSHOT_CART', []],
    ['QUOTE_SHIPPING', ['inventory.release-reservation']],
    ['CREATE_ORDER', ['coupons.release-redemptions', 'inventory.release-reservation']],
    ['RESERVE_STOCK', ['coupons.release-redemptions', 'orders.cancel-order']],
    ['REDEEM_COUPONS', ['inventory.release-reservation', 'orders.cancel-order']],
    [
      'AUTHORIZE_PAYMENT',
      ['coupons.release-redemptions', 'inventory.release-reservation', 'orders.cancel-order'],
    ],
    [
      'CONFIRM_ORDER',
      [
        'payments.void-payment',
        'coupons.release-redemptions',
        'inventory.release-reservation',
        'orders.cancel-order',
      ],
    ],
  ];

  it.each(undone)(
    'a rejection at %s compensates the completed steps and the others in flight, not itself',
    (failing, expected) => {
      const saga = runUntil(failing);
      saga.pullEvents();
      saga.handleReply({ kind: 'REJECTED', step: failing, code: 'X.FAILED', message: 'it failed' }, timing());
      expect(commandTypes(saga)).toEqual([...expected, 'checkout.checkout-failed']);
      expect(saga.status).toBe('FAILED');
      expect(saga.failure).toEqual({ step: failing, code: 'X.FAILED', message: 'it failed' });
      expect(saga.inFlight).toEqual([]);
      expect(saga.deadlineAt).toBeNull();
      expect(saga.timeline.some((t) => t.event === 'FAILED')).toBe(true);
    },
  );

  it('cancels the order with the code and message the buyer sees', () => {
    const saga = runUntil('AUTHORIZE_PAYMENT');
    saga.pullEvents();
    saga.handleReply(
      { kind: 'REJECTED', step: 'AUTHORIZE_PAYMENT', code: 'PAYMENT.DECLINED', message: 'Card declined' },
      timing(),
    );
    const cancel = saga.pullEvents().find((e) => e.type === 'orders.cancel-order');
    expect(cancel?.payload).toEqual({
      orderId: saga.orderId,
      checkoutId: saga.id,
      code: 'PAYMENT.DECLINED',
      message: 'Card declined',
    });
  });
});

describe('order cancelled under the saga', () => {
  it('fails a running saga past CREATE_ORDER and compensates, the in-flight step included', () => {
    const saga = runUntil('AUTHORIZE_PAYMENT');
    saga.pullEvents();
    const cancelled = {
      kind: 'ORDER_CANCELLED' as const,
      code: 'ORDER.CANCELLED_BY_BUYER',
      message: 'changed mind',
    };
    expect(saga.handleReply(cancelled, timing())).toBe('applied');
    expect(commandTypes(saga)).toEqual([
      'payments.void-payment',
      'coupons.release-redemptions',
      'inventory.release-reservation',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.failure?.code).toBe('ORDER.CANCELLED_BY_BUYER');
    // The echo of our own cancellation is ignored.
    expect(saga.handleReply(cancelled, timing())).toBe('ignored');
  });

  it('is ignored before the order exists', () => {
    const saga = runUntil('CREATE_ORDER');
    expect(saga.handleReply({ kind: 'ORDER_CANCELLED', code: 'X', message: 'y' }, timing())).toBe('ignored');
  });
});

describe('timeouts', () => {
  it('re-sends the same command until the attempts run out, then compensates (the silent step too) with STEP_TIMED_OUT', () => {
    // Without codes nothing else is in flight beside the reservation.
    const saga = runUntil('RESERVE_STOCK', defaultLines(), []);
    const first = saga.pullEvents().find((e) => e.type === 'inventory.reserve-stock');
    expect(saga.timeOut(timing(29_000), 3)).toBe('ignored');
    expect(saga.timeOut({ now: new Date(saga.deadlineAt!.getTime()), stepTimeoutMs: 30_000 }, 3)).toBe(
      'retried',
    );
    const again = saga.pullEvents();
    expect(again.map((e) => e.type)).toEqual(['inventory.reserve-stock']);
    expect(again[0]?.payload).toEqual(first?.payload);
    expect(saga.attempt).toBe(2);
    expect(saga.timeOut({ now: saga.deadlineAt!, stepTimeoutMs: 30_000 }, 3)).toBe('retried');
    expect(saga.pullEvents().map((e) => e.type)).toEqual(['inventory.reserve-stock']);
    expect(saga.timeOut({ now: saga.deadlineAt!, stepTimeoutMs: 30_000 }, 3)).toBe('failed');
    expect(saga.failure?.code).toBe('CHECKOUT.STEP_TIMED_OUT');
    expect(saga.pullEvents().map((e) => e.type)).toEqual([
      'inventory.release-reservation',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.timeline.filter((t) => t.event === 'RETRIED')).toHaveLength(2);
  });

  it('ignores a timeout of a finished saga', () => {
    const saga = runUntil(null);
    expect(saga.status).toBe('COMPLETED');
    expect(saga.timeOut(timing(3_600_000), 3)).toBe('ignored');
  });
});

describe('past the pivot (CONFIRM_ORDER completed)', () => {
  const expire = (saga: CheckoutSaga) => ({
    now: new Date(saga.deadlineAt!.getTime()),
    stepTimeoutMs: 30_000,
  });

  it('completes without compensating when clear-cart never answers', () => {
    const saga = runUntil('CLEAR_CART');
    saga.pullEvents();
    expect(saga.timeOut(expire(saga), 3)).toBe('retried');
    expect(saga.timeOut(expire(saga), 3)).toBe('retried');
    expect(commandTypes(saga)).toEqual(['cart.clear-cart', 'cart.clear-cart']);
    expect(saga.timeOut(expire(saga), 3)).toBe('completed');
    expect(commandTypes(saga)).toEqual(['checkout.checkout-completed']);
    expect(saga.status).toBe('COMPLETED');
    expect(saga.failure).toBeNull();
    expect(saga.deadlineAt).toBeNull();
    expect(saga.timeline.at(-2)).toMatchObject({
      step: 'CLEAR_CART',
      event: 'TIMED_OUT',
      detail: expect.stringContaining('cart not cleared'),
    });
    expect(saga.timeline.at(-1)?.event).toBe('COMPLETED');
    // A late cart reply changes nothing.
    expect(saga.handleReply({ kind: 'CART_CHECKED_OUT' }, timing())).toBe('ignored');
  });

  it('completes without compensating when clear-cart is rejected', () => {
    const saga = runUntil('CLEAR_CART');
    saga.pullEvents();
    const rejected = {
      kind: 'REJECTED' as const,
      step: 'CLEAR_CART' as const,
      code: 'CART.X',
      message: 'no',
    };
    expect(saga.handleReply(rejected, timing())).toBe('applied');
    expect(commandTypes(saga)).toEqual(['checkout.checkout-completed']);
    expect(saga.status).toBe('COMPLETED');
    expect(saga.timeline.at(-2)).toMatchObject({
      step: 'CLEAR_CART',
      event: 'SKIPPED',
      detail: 'cart not cleared: CART.X: no',
    });
  });

  it('ignores an order cancellation: the confirmed order is the orders service’s to unwind', () => {
    const saga = runUntil('CLEAR_CART');
    saga.pullEvents();
    expect(saga.handleReply({ kind: 'ORDER_CANCELLED', code: 'ORDER.X', message: 'y' }, timing())).toBe(
      'ignored',
    );
    expect(commandTypes(saga)).toEqual([]);
    expect(saga.handleReply({ kind: 'CART_CHECKED_OUT' }, timing())).toBe('applied');
    expect(saga.status).toBe('COMPLETED');
  });
});

/** A small seeded PRNG, so the property runs are reproducible. */
function prng(seed: number) {
  let s = seed >>> 0;
  return (max: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % max;
  };
}

describe('totals and splits (property: the splits always sum exactly to the total)', () => {
  it('holds for 500 random carts, quotes and discounts', () => {
    const rand = prng(42);
    for (let run = 0; run < 500; run++) {
      const sellers = Array.from({ length: 1 + rand(4) }, () => uuid());
      const lines = Array.from({ length: 1 + rand(6) }, () =>
        line(sellers[rand(sellers.length)]!, 1 + rand(100_000), 1 + rand(9)),
      );
      const saga = runUntil('REDEEM_COUPONS', lines);
      const present = [...new Set(lines.map((l) => l.sellerId))];
      const shipping = saga.shippingBySeller();
      const lineDiscounts = lines
        .filter(() => rand(2) === 0)
        .map((l) => ({
          lineId: l.lineId,
          amount: { amount: rand(l.unitPrice.amount * l.quantity + 1), currency: 'EUR' },
        }));
      const shippingDiscounts = present
        .filter(() => rand(2) === 0)
        .map((sellerId) => ({
          sellerId,
          amount: { amount: rand((shipping.find(([s]) => s === sellerId)?.[1] ?? 0) + 1), currency: 'EUR' },
        }));
      saga.handleReply(
        { kind: 'COUPONS_REDEEMED', discounts: { lineDiscounts, shippingDiscounts } },
        timing(),
      );
      expect(saga.status).toBe('RUNNING');
      const totals = saga.totals();
      const subtotal = lines.reduce((a, l) => a + l.unitPrice.amount * l.quantity, 0);
      const discount = [...lineDiscounts, ...shippingDiscounts].reduce((a, d) => a + d.amount.amount, 0);
      expect(totals.subtotal).toBe(subtotal);
      expect(totals.shipping).toBe(499 * present.length);
      expect(totals.total).toBe(subtotal + totals.shipping - discount);
      const splits = saga.splits();
      expect(splits.reduce((a, s) => a + s.amount, 0)).toBe(totals.total);
      expect(splits.map((s) => s.sellerId).sort()).toEqual([...present].sort());
      expect(splits.every((s) => Number.isSafeInteger(s.amount) && s.amount >= 0)).toBe(true);
    }
  });

  it('gives each seller its lines minus their discounts plus its shipping minus its shipping discount', () => {
    const lines = [line(SELLER_A, 1000, 2), line(SELLER_B, 333, 3)];
    const saga = runUntil('AUTHORIZE_PAYMENT', lines);
    // successFor: 100 off the first line, 499 off seller A's shipping.
    expect(saga.totals()).toEqual({
      currency: 'EUR',
      subtotal: 2999,
      shipping: 998,
      discount: 599,
      total: 3398,
    });
    const bySeller = Object.fromEntries(saga.splits().map((s) => [s.sellerId, s.amount]));
    expect(bySeller).toEqual({ [SELLER_A]: 2000 - 100 + 499 - 499, [SELLER_B]: 999 + 499 });
    const authorize = saga.pullEvents().find((e) => e.type === 'payments.authorize-payment');
    expect((authorize?.payload as { amount: unknown }).amount).toEqual({ amount: 3398, currency: 'EUR' });
  });

  it('fails the saga on amounts that belong to no seller of the cart (the splits could not sum)', () => {
    const lines = [line(SELLER_A, 100, 1)];
    const quoted = runUntil('QUOTE_SHIPPING', lines);
    quoted.handleReply(
      {
        kind: 'SHIPPING_QUOTED',
        quotes: [
          { sellerId: SELLER_B, service: 'X', amount: { amount: 1, currency: 'EUR' }, weightGrams: 1 },
        ],
      },
      timing(),
    );
    expect(quoted.failure?.code).toBe('CHECKOUT.INVALID_TOTALS');
    const redeemed = runUntil('REDEEM_COUPONS', lines);
    redeemed.handleReply(
      {
        kind: 'COUPONS_REDEEMED',
        discounts: {
          lineDiscounts: [{ lineId: uuid(), amount: { amount: 1, currency: 'EUR' } }],
          shippingDiscounts: [],
        },
      },
      timing(),
    );
    expect(redeemed.failure?.code).toBe('CHECKOUT.INVALID_TOTALS');
    const empty = CheckoutSaga.start(startInput(), timing());
    empty.handleReply(
      { kind: 'CART_SNAPSHOTTED', snapshot: { currency: 'EUR', couponCodes: [], lines: [] } },
      timing(),
    );
    expect(empty.failure).toMatchObject({ step: 'SNAPSHOT_CART', code: 'CHECKOUT.INVALID_TOTALS' });
  });

  it('fails the saga when discounts would make a seller share negative', () => {
    const lines = [line(SELLER_A, 100, 1)];
    const saga = runUntil('REDEEM_COUPONS', lines);
    saga.handleReply(
      {
        kind: 'COUPONS_REDEEMED',
        discounts: {
          lineDiscounts: [{ lineId: lines[0]!.lineId, amount: { amount: 10_000, currency: 'EUR' } }],
          shippingDiscounts: [],
        },
      },
      timing(),
    );
    expect(saga.status).toBe('FAILED');
    expect(saga.failure?.code).toBe('CHECKOUT.INVALID_TOTALS');
    expect(saga.pullEvents().map((e) => e.type)).toContain('coupons.release-redemptions');
  });
});
