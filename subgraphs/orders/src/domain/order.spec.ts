import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Order, paidForUnits, type CreateOrderInput } from './order.js';
import {
  ORDER_STATUS,
  REFUND_STATUS,
  SUB_ORDER_STATUS,
  orderMachine,
  refundMachine,
  subOrderMachine,
  type OrderStatus,
} from './order-status.js';

const now = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(now.getTime() + days * DAY);
const sellerA = newId();
const sellerB = newId();
const buyer = newId();
const paymentId = newId();
const [l1, l2, l3] = [newId(), newId(), newId()];

const address = {
  fullName: 'Ada Buyer',
  line1: '1 Main St',
  line2: null,
  city: 'Berlin',
  region: null,
  postalCode: '10115',
  country: 'DE',
  phone: null,
};
const line = (lineId: string, sellerId: string, sku: string, quantity: number, unitPrice: number) => ({
  lineId,
  sku,
  variantId: newId(),
  productId: newId(),
  sellerId,
  productName: sku,
  variantName: null,
  quantity,
  unitPrice,
});
const input = (): CreateOrderInput => ({
  orderId: newId(),
  number: 'MP-7KQ2M4XD',
  checkoutId: newId(),
  buyerId: buyer,
  currency: 'EUR',
  shippingAddress: address,
  // Seller A: 3 x 10.00 and 1 x 5.00; seller B: 2 x 7.00.
  lines: [
    line(l1, sellerA, 'A-1', 3, 1000),
    line(l2, sellerA, 'A-2', 1, 500),
    line(l3, sellerB, 'B-1', 2, 700),
  ],
  shipping: [
    { sellerId: sellerA, amount: 490 },
    { sellerId: sellerB, amount: 300 },
  ],
});

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

const created = () => {
  const order = unwrap(Order.create(input(), now));
  order.pullEvents();
  return order;
};
const confirmed = (discounts = { line: 100, shipping: 90 }) => {
  const order = created();
  unwrap(
    order.confirm(
      {
        paymentId,
        lineDiscounts: [{ lineId: l1, amount: discounts.line, currency: 'EUR' }],
        shippingDiscounts: [{ sellerId: sellerA, amount: discounts.shipping, currency: 'EUR' }],
      },
      now,
    ),
  );
  order.pullEvents();
  return order;
};
const paid = () => {
  const order = confirmed();
  unwrap(order.markPaid(paymentId, now, now));
  order.pullEvents();
  return order;
};
const sub = (order: Order, sellerId: string) => order.subOrders.find((s) => s.sellerId === sellerId)!;
/** The v1 events (each numbered event also has its v2 twin, checked in 'order numbers'). */
const v1 = (order: Order) => order.pullEvents().filter((e) => e.version === 1);
const types = (order: Order) => v1(order).map((e) => e.type);

describe('order state machine', () => {
  const allowed: [OrderStatus, OrderStatus[]][] = [
    ['PENDING', ['CONFIRMED', 'CANCELLED', 'FAILED']],
    ['CONFIRMED', ['PAID', 'CANCELLED', 'FAILED']],
    ['PAID', ['SHIPPED', 'CANCELLED', 'REFUNDED']],
    ['SHIPPED', ['COMPLETED', 'REFUNDED']],
    ['COMPLETED', ['REFUNDED']],
    ['CANCELLED', []],
    ['REFUNDED', []],
    ['FAILED', []],
  ];
  const all = allowed.map(([s]) => s);
  it.each(allowed)('%s may go only to %j', (from, to) => {
    for (const target of all) expect(orderMachine.can(from, target)).toBe(to.includes(target));
  });

  it('names a forbidden move with a stable code', () => {
    const r = orderMachine.transition('SHIPPED', 'CANCELLED');
    expect(r.ok ? null : r.error.code).toBe('ORDER.INVALID_TRANSITION');
  });

  it('sub-orders and refund requests have their own tables', () => {
    expect(subOrderMachine.can('PAID', 'SHIPPED')).toBe(true);
    expect(subOrderMachine.can('SHIPPED', 'CANCELLED')).toBe(false);
    expect(subOrderMachine.can('CANCELLED', 'REFUNDED')).toBe(true);
    expect(refundMachine.can('REQUESTED', 'APPROVED')).toBe(true);
    expect(refundMachine.can('REJECTED', 'APPROVED')).toBe(false);
    expect(refundMachine.isTerminal('COMPLETED')).toBe(true);
  });

  it('each table covers exactly its closed set of statuses', () => {
    expect(Object.keys(orderMachine.table)).toEqual([...ORDER_STATUS.values]);
    expect(Object.keys(subOrderMachine.table)).toEqual([...SUB_ORDER_STATUS.values]);
    expect(Object.keys(refundMachine.table)).toEqual([...REFUND_STATUS.values]);
  });
});

describe('creating an order', () => {
  it('splits the lines into one sub-order per seller with the totals in minor units', () => {
    const order = unwrap(Order.create(input(), now));
    expect(order.status).toBe('PENDING');
    expect(order.subOrders.map((s) => [s.sellerId, s.lines.length, s.shipping])).toEqual([
      [sellerA, 2, 490],
      [sellerB, 1, 300],
    ]);
    expect([order.subtotal, order.shippingTotal, order.discountTotal, order.total]).toEqual([
      4900, 790, 0, 5690,
    ]);
    const [event] = v1(order);
    expect(event?.type).toBe('orders.order-created');
    expect(event?.payload).toMatchObject({
      status: 'PENDING',
      subtotal: { amount: 4900, currency: 'EUR' },
      version: 1,
    });
    expect(order.timeline).toEqual([{ at: now.toISOString(), status: 'PENDING', note: 'Order placed' }]);
  });

  it('carries its number, numbers its sub-orders by place, and publishes v2 of the event with them', () => {
    const order = unwrap(Order.create(input(), now));
    expect(order.number).toBe('MP-7KQ2M4XD');
    expect(order.subOrders.map((s) => s.number)).toEqual(['MP-7KQ2M4XD-1', 'MP-7KQ2M4XD-2']);
    const [v2, v1event] = order.pullEvents();
    expect([v2?.version, v1event?.version]).toEqual([2, 1]);
    expect(v2?.payload).toEqual({
      ...v1event?.payload,
      orderNumber: 'MP-7KQ2M4XD',
      subOrders: (v1event?.payload as { subOrders: object[] }).subOrders.map((s, i) => ({
        ...s,
        subOrderNumber: `MP-7KQ2M4XD-${i + 1}`,
      })),
    });
  });

  it('publishes the number in v2 of every event the buyer is notified about', () => {
    const order = paid();
    order.applyShipment(order.subOrders[0]!.id, 'DELIVERED', now);
    order.applyShipment(order.subOrders[1]!.id, 'DELIVERED', now);
    const events = order.pullEvents();
    expect(events.map((e) => `${e.type}@${e.version}`)).toEqual([
      'orders.order-shipped@2',
      'orders.order-shipped@1',
      'orders.order-completed@2',
      'orders.order-completed@1',
    ]);
    for (const e of events.filter((x) => x.version === 2)) expect(e.payload.orderNumber).toBe('MP-7KQ2M4XD');
  });

  it('refuses an order without lines', () => {
    const r = Order.create({ ...input(), lines: [] }, now);
    expect(r.ok ? null : r.error.code).toBe('ORDER.INVALID');
  });
});

describe('confirming', () => {
  it('applies line and shipping discounts and moves every sub-order along', () => {
    const order = confirmed();
    expect(order.status).toBe('CONFIRMED');
    expect(order.discountTotal).toBe(190);
    expect(order.total).toBe(5690 - 190);
    expect(order.subOrders.every((s) => s.status === 'CONFIRMED')).toBe(true);
    expect(order.paymentId).toBe(paymentId);
  });

  it('caps a discount at its line and its shipping: nothing goes negative', () => {
    const order = confirmed({ line: 999_999, shipping: 999_999 });
    expect(sub(order, sellerA).lines[0]!.discount).toBe(3000);
    expect(sub(order, sellerA).shippingDiscount).toBe(490);
    expect(order.total).toBe(5690 - 3000 - 490);
  });

  it('replays the confirmed event for the same payment and changes nothing', () => {
    const order = confirmed();
    const version = order.version;
    expect(unwrap(order.confirm({ paymentId, lineDiscounts: [], shippingDiscounts: [] }, now))).toEqual({
      replayed: true,
    });
    expect(order.version).toBe(version);
    expect(order.discountTotal).toBe(190);
    expect(types(order)).toEqual(['orders.order-confirmed']);
  });

  it('a confirm arriving after the saga cancelled the order changes nothing', () => {
    const order = created();
    unwrap(order.cancel({ code: 'CHECKOUT.STEP_TIMED_OUT', message: 'Timed out', actorId: null }, now));
    order.pullEvents();
    expect(unwrap(order.confirm({ paymentId, lineDiscounts: [], shippingDiscounts: [] }, now))).toEqual({
      replayed: false,
    });
    expect(order.status).toBe('CANCELLED');
    expect(order.pullEvents()).toEqual([]);
  });

  it('refuses discounts in another currency', () => {
    const order = created();
    const r = order.confirm(
      { paymentId, lineDiscounts: [{ lineId: l1, amount: 1, currency: 'USD' }], shippingDiscounts: [] },
      now,
    );
    expect(r.ok ? null : r.error.code).toBe('ORDER.CURRENCY_MISMATCH');
  });
});

describe('payment, shipping, completion', () => {
  it('PAID once captured, with the items per sub-order for shipping; a second capture is a no-op', () => {
    const order = confirmed();
    unwrap(order.markPaid(paymentId, now, now));
    const [event] = v1(order);
    expect(event?.type).toBe('orders.order-paid');
    expect((event?.payload as { subOrders: unknown[] }).subOrders).toHaveLength(2);
    expect(unwrap(order.markPaid(paymentId, now, now))).toEqual({ changed: false });
    expect(order.pullEvents()).toEqual([]);
  });

  it('SHIPPED when every sub-order shipped, COMPLETED when every one is delivered', () => {
    const order = paid();
    unwrap(order.applyShipment(sub(order, sellerA).id, 'DISPATCHED', now));
    expect(order.status).toBe('PAID');
    unwrap(order.applyShipment(sub(order, sellerB).id, 'DISPATCHED', now));
    expect(order.status).toBe('SHIPPED');
    expect(types(order)).toEqual(['orders.order-shipped']);
    unwrap(order.applyShipment(sub(order, sellerA).id, 'DELIVERED', now));
    unwrap(order.applyShipment(sub(order, sellerB).id, 'DELIVERED', now));
    expect(order.status).toBe('COMPLETED');
    expect(types(order)).toEqual(['orders.order-completed']);
    expect(order.timeline.map((t) => t.status)).toContain('COMPLETED');
    // A redelivered carrier event changes nothing.
    expect(unwrap(order.applyShipment(sub(order, sellerB).id, 'DELIVERED', now))).toEqual({ changed: false });
  });
});

describe('cancellation policy', () => {
  it('a pending order is cancelled without a refund; cancelling again is a no-op', () => {
    const order = created();
    unwrap(order.cancel({ code: 'CHECKOUT.PAYMENT_FAILED', message: 'Card declined', actorId: null }, now));
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation).toEqual({ code: 'CHECKOUT.PAYMENT_FAILED', message: 'Card declined' });
    const [event] = v1(order);
    expect(event?.type).toBe('orders.order-cancelled');
    // The saga's compensation releases the still-uncommitted reservation itself.
    expect(event?.payload).toMatchObject({ previousStatus: 'PENDING', restock: [] });
    expect(unwrap(order.cancel({ code: 'X', message: 'again', actorId: null }, now))).toEqual({
      changed: false,
    });
    expect(order.pullEvents()).toEqual([]);
  });

  it('a confirmed order gives every line’s committed units back to stock', () => {
    const order = confirmed();
    unwrap(
      order.cancel({ code: 'ORDER.CANCELLED_BY_BUYER', message: 'Changed my mind', actorId: buyer }, now),
    );
    const events = v1(order);
    expect(events.map((e) => e.type)).toEqual(['orders.order-cancelled']);
    expect(events[0]?.payload).toMatchObject({
      previousStatus: 'CONFIRMED',
      paymentId,
      restock: [
        { sku: 'A-1', quantity: 3 },
        { sku: 'A-2', quantity: 1 },
        { sku: 'B-1', quantity: 2 },
      ],
    });
  });

  it('a create arriving after the cancellation records the order CANCELLED, publishing only that', () => {
    const order = unwrap(
      Order.createCancelled(input(), { code: 'CHECKOUT.STEP_TIMED_OUT', message: 'Timed out' }, now),
    );
    expect(order.status).toBe('CANCELLED');
    expect(order.subOrders.every((s) => s.status === 'CANCELLED')).toBe(true);
    expect(order.cancellation).toEqual({ code: 'CHECKOUT.STEP_TIMED_OUT', message: 'Timed out' });
    const events = v1(order);
    expect(events.map((e) => e.type)).toEqual(['orders.order-cancelled']);
    expect(events[0]?.payload).toMatchObject({ previousStatus: 'PENDING', restock: [], paymentId: null });
  });

  it('a paid order gets an approved full refund per sub-order', () => {
    const order = paid();
    unwrap(
      order.cancel({ code: 'ORDER.CANCELLED_BY_BUYER', message: 'Changed my mind', actorId: buyer }, now),
    );
    const events = v1(order);
    expect(events.map((e) => e.type)).toEqual([
      'orders.order-cancelled',
      'orders.refund-approved',
      'orders.refund-approved',
    ]);
    // The refund restocks (orders.order-refunded), not the cancellation.
    expect(events[0]?.payload).toMatchObject({ previousStatus: 'PAID', restock: [] });
    const amounts = events.slice(1).map((e) => (e.payload as { amount: { amount: number } }).amount.amount);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(order.total);
    expect(order.refundRequests.every((r) => r.status === 'APPROVED' && r.decidedBy === buyer)).toBe(true);
  });

  it('cancelling a paid order approves the pending requests and asks only for the units left', () => {
    const order = paid();
    const [a, b] = [sub(order, sellerA), sub(order, sellerB)];
    const all = (s: typeof a) => s.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity }));
    // Seller A's whole sub-order (with its shipping) and one of seller B's two units are asked for.
    const wholeA = unwrap(
      order.requestRefund({ subOrderId: a.id, lines: all(a), reason: 'x' }, { windowDays: 30 }, now),
    );
    const oneB = unwrap(
      order.requestRefund(
        { subOrderId: b.id, lines: [{ lineId: l3, quantity: 1 }], reason: 'x' },
        { windowDays: 30 },
        now,
      ),
    );
    order.pullEvents();
    unwrap(order.cancel({ code: 'ORDER.CANCELLED_BY_BUYER', message: 'No', actorId: buyer }, now));
    const approved = order
      .pullEvents()
      .filter((e) => e.type === 'orders.refund-approved')
      .map((e) => e.payload as { refundRequestId: string; amount: { amount: number } });
    // No lines-less request for A; B's remaining unit comes with B's shipping.
    expect(order.refundRequests).toHaveLength(3);
    expect(order.refundRequests.every((r) => r.status === 'APPROVED' && r.decidedBy === buyer)).toBe(true);
    expect(approved.map((e) => e.refundRequestId).slice(0, 2)).toEqual([wholeA.id, oneB.id]);
    const rest = order.refundRequests[2]!;
    expect(rest).toMatchObject({
      subOrderId: b.id,
      lines: [{ lineId: l3, quantity: 1 }],
      shippingAmount: 300,
    });
    expect(approved.reduce((total, e) => total + e.amount.amount, 0)).toBe(order.total);
  });

  it('a capture that lands after a confirmed order was cancelled is refunded in full, restocking nothing', () => {
    const order = confirmed();
    unwrap(order.cancel({ code: 'ORDER.CANCELLED_BY_BUYER', message: 'No', actorId: buyer }, now));
    order.pullEvents();
    expect(unwrap(order.markPaid(paymentId, now, at(0.01)))).toEqual({ changed: true });
    expect(order.status).toBe('CANCELLED');
    expect(order.paidAt).toEqual(now);
    const events = v1(order);
    // Nothing is shipped (no order-paid); one approved full refund per sub-order.
    expect(events.map((e) => e.type)).toEqual(['orders.refund-approved', 'orders.refund-approved']);
    const amounts = events.map((e) => (e.payload as { amount: { amount: number } }).amount.amount);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(order.total);
    expect(events[0]?.payload).toMatchObject({ paymentId, approvedBy: buyer });
    // The same capture again changes nothing.
    expect(unwrap(order.markPaid(paymentId, now, now))).toEqual({ changed: false });
    expect(order.pullEvents()).toEqual([]);
    // The cancellation already returned the units: the refunds restock none.
    for (const r of order.refundRequests) unwrap(order.completeRefund(r.id, now));
    const refunded = v1(order).map((e) => e.payload);
    expect(refunded).toHaveLength(2);
    for (const p of refunded) expect(p).toMatchObject({ restock: [], subOrderRefunded: true });
    expect(refunded[1]).toMatchObject({ orderFullyRefunded: true });
    expect(order.subOrders.every((s) => s.status === 'REFUNDED')).toBe(true);
    expect(order.status).toBe('CANCELLED');
  });

  it('a capture of another payment, or of an order cancelled before confirmation, changes nothing', () => {
    const cancelledConfirmed = confirmed();
    unwrap(cancelledConfirmed.cancel({ code: 'X', message: 'No', actorId: buyer }, now));
    cancelledConfirmed.pullEvents();
    expect(unwrap(cancelledConfirmed.markPaid(newId(), now, now))).toEqual({ changed: false });
    expect(cancelledConfirmed.pullEvents()).toEqual([]);
    const cancelledPending = created();
    unwrap(cancelledPending.cancel({ code: 'X', message: 'No', actorId: null }, now));
    cancelledPending.pullEvents();
    expect(unwrap(cancelledPending.markPaid(paymentId, now, now))).toEqual({ changed: false });
    expect(cancelledPending.pullEvents()).toEqual([]);
  });

  it('a voided payment cancels a confirmed order, returning its committed units', () => {
    const order = confirmed();
    expect(unwrap(order.paymentVoided(paymentId, 'CAPTURE_FAILED', now))).toEqual({ changed: true });
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation?.code).toBe('PAYMENT.CAPTURE_FAILED');
    expect(order.cancellation?.message).toMatch(/not been charged/);
    const events = v1(order);
    expect(events.map((e) => e.type)).toEqual(['orders.order-cancelled']);
    expect(events[0]?.payload).toMatchObject({
      previousStatus: 'CONFIRMED',
      code: 'PAYMENT.CAPTURE_FAILED',
      restock: [
        { sku: 'A-1', quantity: 3 },
        { sku: 'A-2', quantity: 1 },
        { sku: 'B-1', quantity: 2 },
      ],
    });
    // Repeated, or for any other state or payment: ignored.
    expect(unwrap(order.paymentVoided(paymentId, 'CAPTURE_FAILED', now))).toEqual({ changed: false });
    const alreadyPaid = paid();
    expect(unwrap(alreadyPaid.paymentVoided(paymentId, 'CAPTURE_FAILED', now))).toEqual({ changed: false });
    expect(alreadyPaid.status).toBe('PAID');
    const other = confirmed();
    expect(unwrap(other.paymentVoided(newId(), 'CAPTURE_FAILED', now))).toEqual({ changed: false });
    expect([other.status, ...types(other)]).toEqual(['CONFIRMED']);
    // A void for another reason (the saga's compensation) leaves the cancelling to cancel-order.
    const compensated = confirmed();
    expect(unwrap(compensated.paymentVoided(paymentId, 'CHECKOUT.STEP_TIMED_OUT', now))).toEqual({
      changed: false,
    });
    expect(compensated.status).toBe('CONFIRMED');
  });

  it('nothing can be cancelled once a sub-order shipped', () => {
    const order = paid();
    unwrap(order.applyShipment(sub(order, sellerA).id, 'DISPATCHED', now));
    const r = order.cancel({ code: 'X', message: 'late', actorId: buyer }, now);
    expect(r.ok ? null : r.error.code).toBe('ORDER.NOT_CANCELLABLE');
    // Checked before anything moves: neither the order nor its other sub-order was cancelled.
    expect(order.status).toBe('PAID');
    expect(order.subOrders.map((s) => s.status).sort()).toEqual(['PAID', 'SHIPPED']);
  });
});

describe('refund amounts', () => {
  it('splits a line discount over its units by largest remainder', () => {
    // 100 off 3 units: 34 + 33 + 33.
    const l = { quantity: 3, unitPrice: 1000, discount: 100 };
    expect(paidForUnits(l, 0, 1, 'EUR')).toBe(966);
    expect(paidForUnits(l, 1, 2, 'EUR')).toBe(1934);
    expect(paidForUnits(l, 0, 3, 'EUR')).toBe(2900);
  });

  it('refunds paid amounts of the lines, plus shipping only with the last units of the sub-order', () => {
    const order = paid();
    const a = sub(order, sellerA);
    const first = unwrap(
      order.requestRefund(
        { subOrderId: a.id, lines: [{ lineId: l1, quantity: 1 }], reason: 'broken' },
        { windowDays: 30 },
        now,
      ),
    );
    expect(first.amount).toBe(966);
    expect(first.shippingAmount).toBe(0);
    const rest = unwrap(
      order.requestRefund(
        {
          subOrderId: a.id,
          lines: [
            { lineId: l1, quantity: 2 },
            { lineId: l2, quantity: 1 },
          ],
          reason: 'all of it',
        },
        { windowDays: 30 },
        now,
      ),
    );
    // 2 units of l1 (1934) + l2 (500) + shipping 490 - 90 discount.
    expect(rest.amount).toBe(1934 + 500 + 400);
    expect(first.amount + rest.amount).toBe(
      a.lines.reduce((s, l) => s + l.unitPrice * l.quantity - l.discount, 0) + 400,
    );
  });

  it('refuses more units than bought minus already requested', () => {
    const order = paid();
    const a = sub(order, sellerA);
    unwrap(
      order.requestRefund(
        { subOrderId: a.id, lines: [{ lineId: l1, quantity: 2 }], reason: 'x' },
        { windowDays: 30 },
        now,
      ),
    );
    const r = order.requestRefund(
      { subOrderId: a.id, lines: [{ lineId: l1, quantity: 2 }], reason: 'x' },
      { windowDays: 30 },
      now,
    );
    expect(r.ok ? null : r.error.code).toBe('ORDER.REFUND_QUANTITY_EXCEEDED');
  });

  it('a rejected request frees its units again', () => {
    const order = paid();
    const a = sub(order, sellerA);
    const req = unwrap(
      order.requestRefund(
        { subOrderId: a.id, lines: [{ lineId: l1, quantity: 3 }], reason: 'x' },
        { windowDays: 30 },
        now,
      ),
    );
    unwrap(order.rejectRefund(req.id, sellerA, 'used', now));
    expect(order.refundableUnits(l1)).toBe(3);
  });

  describe('shipping goes back once per sub-order', () => {
    const ask = (order: Order, lines: { lineId: string; quantity: number }[]) =>
      unwrap(
        order.requestRefund(
          { subOrderId: sub(order, sellerA).id, lines, reason: 'x' },
          { windowDays: 30 },
          now,
        ),
      );
    const linesAmount = (r: { lines: { amount: number }[] }) => r.lines.reduce((s, l) => s + l.amount, 0);

    it.each(['REQUESTED', 'APPROVED', 'COMPLETED'] as const)(
      'a request freed by a rejection does not carry it again while the %s one that completed the sub-order has it',
      (carrierStatus) => {
        const order = paid();
        const early = ask(order, [{ lineId: l1, quantity: 1 }]);
        const carrier = ask(order, [
          { lineId: l1, quantity: 2 },
          { lineId: l2, quantity: 1 },
        ]);
        expect(carrier.shippingAmount).toBe(400);
        if (carrierStatus !== 'REQUESTED') unwrap(order.approveRefund(carrier.id, sellerA, now));
        if (carrierStatus === 'COMPLETED') unwrap(order.completeRefund(carrier.id, now));
        unwrap(order.rejectRefund(early.id, sellerA, 'used', now));
        // The freed unit completes the sub-order again, but its shipping is already on its way back.
        const again = ask(order, [{ lineId: l1, quantity: 1 }]);
        expect(again.shippingAmount).toBe(0);
        expect(again.amount).toBe(linesAmount(again));
        const shippingBack = order.refundRequests
          .filter((r) => r.status !== 'REJECTED' && r.status !== 'FAILED')
          .reduce((s, r) => s + r.shippingAmount, 0);
        expect(shippingBack).toBe(400);
      },
    );

    it('a rejected or failed request that carried it does not keep a later one from carrying it', () => {
      const order = paid();
      const whole = [
        { lineId: l1, quantity: 3 },
        { lineId: l2, quantity: 1 },
      ];
      const rejected = ask(order, whole);
      expect(rejected.shippingAmount).toBe(400);
      unwrap(order.rejectRefund(rejected.id, sellerA, 'used', now));
      const failed = ask(order, whole);
      expect(failed.shippingAmount).toBe(400);
      unwrap(order.approveRefund(failed.id, sellerA, now));
      unwrap(order.failRefund(failed.id, 'PAYMENT.PROVIDER_UNAVAILABLE', 'down', now));
      // Partly, too: a freed carrier leaves the shipping to whichever request completes next.
      const part = ask(order, [{ lineId: l1, quantity: 3 }]);
      expect(part.shippingAmount).toBe(0);
      const last = ask(order, [{ lineId: l2, quantity: 1 }]);
      expect(last.shippingAmount).toBe(400);
      expect(last.amount).toBe(500 + 400);
    });
  });

  it('refuses lines of another sub-order, before payment and after the window', () => {
    const order = paid();
    const a = sub(order, sellerA);
    const wrong = order.requestRefund(
      { subOrderId: a.id, lines: [{ lineId: l3, quantity: 1 }], reason: 'x' },
      { windowDays: 30 },
      now,
    );
    expect(wrong.ok ? null : wrong.error.code).toBe('ORDER.INVALID');
    const late = order.requestRefund(
      { subOrderId: a.id, lines: [{ lineId: l1, quantity: 1 }], reason: 'x' },
      { windowDays: 30 },
      at(31),
    );
    expect(late.ok ? null : late.error.code).toBe('ORDER.REFUND_WINDOW_CLOSED');
    const unpaid = confirmed().requestRefund(
      { subOrderId: a.id, lines: [], reason: 'x' },
      { windowDays: 30 },
      now,
    );
    expect(unpaid.ok ? null : unpaid.error.code).toBe('ORDER.NOT_REFUNDABLE');
  });
});

describe('refund completion and restock', () => {
  it('restocks units of a sub-order not yet shipped; the order is REFUNDED when everything is', () => {
    const order = paid();
    for (const s of order.subOrders) {
      const req = unwrap(
        order.requestRefund(
          {
            subOrderId: s.id,
            lines: s.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
            reason: 'x',
          },
          { windowDays: 30 },
          now,
        ),
      );
      unwrap(order.approveRefund(req.id, s.sellerId, now));
    }
    order.pullEvents();
    const [ra, rb] = order.refundRequests;
    unwrap(order.completeRefund(ra!.id, now));
    const [first] = v1(order);
    expect(first?.payload).toMatchObject({
      orderFullyRefunded: false,
      subOrderRefunded: true,
      restock: [
        { sku: 'A-1', quantity: 3 },
        { sku: 'A-2', quantity: 1 },
      ],
    });
    expect(sub(order, sellerA).status).toBe('REFUNDED');
    unwrap(order.completeRefund(rb!.id, now));
    expect(order.status).toBe('REFUNDED');
    expect(order.pullEvents()[0]?.payload).toMatchObject({ orderFullyRefunded: true });
    // Payments may deliver the same refund twice.
    expect(unwrap(order.completeRefund(rb!.id, now))).toEqual({ changed: false });
  });

  it('does not restock shipped units', () => {
    const order = paid();
    const a = sub(order, sellerA);
    unwrap(order.applyShipment(a.id, 'DISPATCHED', now));
    const req = unwrap(
      order.requestRefund(
        { subOrderId: a.id, lines: [{ lineId: l2, quantity: 1 }], reason: 'x' },
        { windowDays: 30 },
        now,
      ),
    );
    unwrap(order.approveRefund(req.id, sellerA, now));
    order.pullEvents();
    unwrap(order.completeRefund(req.id, now));
    expect(order.pullEvents()[0]?.payload).toMatchObject({
      restock: [],
      orderFullyRefunded: false,
      subOrderRefunded: false,
    });
    expect(a.status).toBe('SHIPPED');
  });

  it('a failed refund frees the units and tells the buyer', () => {
    const order = paid();
    const a = sub(order, sellerA);
    const req = unwrap(
      order.requestRefund(
        { subOrderId: a.id, lines: [{ lineId: l2, quantity: 1 }], reason: 'x' },
        { windowDays: 30 },
        now,
      ),
    );
    unwrap(order.approveRefund(req.id, sellerA, now));
    order.pullEvents();
    unwrap(order.failRefund(req.id, 'PAYMENT.PROVIDER_UNAVAILABLE', 'down', now));
    expect(types(order)).toEqual(['orders.refund-rejected']);
    expect(order.refundableUnits(l2)).toBe(1);
  });
});
