import {
  AggregateRoot,
  Money,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';
import {
  orderMachine,
  refundMachine,
  subOrderMachine,
  type OrderStatus,
  type RefundStatus,
  type SubOrderStatus,
} from './order-status.js';
import { subOrderNumberOf } from './order-number.js';

export interface Address {
  fullName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/** Amounts inside the aggregate are integer minor units of the order's one currency. */
export interface OrderLine {
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  productName: string;
  variantName: string | null;
  quantity: number;
  unitPrice: number;
  discount: number;
}

export interface SubOrder {
  id: string;
  /** The order's number and the sub-order's place, e.g. `MP-7KQ2M4XD-2`. */
  number: string;
  sellerId: string;
  /** Changes only through `subOrderMachine` (the order's `moveSubOrder`). */
  readonly status: SubOrderStatus;
  lines: OrderLine[];
  shipping: number;
  shippingDiscount: number;
}

export interface RefundLine {
  lineId: string;
  sku: string;
  quantity: number;
  amount: number;
}

export interface RefundRequest {
  id: string;
  subOrderId: string;
  sellerId: string;
  /** Changes only through `refundMachine` (the order's `moveRefund`). */
  readonly status: RefundStatus;
  lines: RefundLine[];
  /** The sub-order's shipping (after its discount), refunded with its last units. */
  shippingAmount: number;
  amount: number;
  reason: string;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  rejectionReason: string | null;
  /**
   * false: the units are already back in stock (a capture that arrived after a CONFIRMED order
   * was cancelled, whose cancellation returned them), so completing it restocks nothing.
   * Absent: true.
   */
  restock?: false;
}

export interface TimelineEntry {
  at: string;
  status: string;
  note: string | null;
  /** Set on entries about one sub-order, so a seller's view shows only its own. */
  subOrderId?: string;
}

export interface Cancellation {
  code: string;
  message: string;
}

export const OrderErrors = {
  notFound: (field = 'orderId') => domainError('ORDER.NOT_FOUND', 'No such order', field),
  invalid: (message: string, field?: string) => domainError('ORDER.INVALID', message, field),
  currency: () => domainError('ORDER.CURRENCY_MISMATCH', 'Every amount must be in the order currency'),
  notCancellable: () =>
    domainError(
      'ORDER.NOT_CANCELLABLE',
      'Only orders not yet shipped (pending, confirmed or paid) can be cancelled',
    ),
  notRefundable: () =>
    domainError('ORDER.NOT_REFUNDABLE', 'Refunds are possible for paid, shipped or completed orders only'),
  refundWindowClosed: () =>
    domainError('ORDER.REFUND_WINDOW_CLOSED', 'The refund window for this order has closed'),
  refundQuantity: (lineId: string) =>
    domainError(
      'ORDER.REFUND_QUANTITY_EXCEEDED',
      `More units than can still be refunded for line ${lineId}`,
      'lines',
    ),
  refundNotFound: () => domainError('ORDER.REFUND_NOT_FOUND', 'No such refund request', 'refundRequestId'),
  subOrderNotFound: () =>
    domainError('ORDER.SUB_ORDER_NOT_FOUND', 'No such sub-order in this order', 'subOrderId'),
} as const;

/** A move the order's, a sub-order's or a refund request's table does not list. */
type OrderMoveRefusal = DomainError<'ORDER.INVALID_TRANSITION'>;
type SubOrderMoveRefusal = DomainError<'SUB_ORDER.INVALID_TRANSITION'>;
type RefundMoveRefusal = DomainError<'REFUND.INVALID_TRANSITION'>;

/** Every way the event-driven changes can refuse: the consumers' `expected` lists are checked against them. */
export type MarkPaidRefusal = DomainError<'ORDER.INVALID'> | OrderMoveRefusal | SubOrderMoveRefusal;
export type CancelRefusal = DomainError<'ORDER.NOT_CANCELLABLE'>;
export type ShipmentRefusal =
  DomainError<'ORDER.SUB_ORDER_NOT_FOUND'> | OrderMoveRefusal | SubOrderMoveRefusal;
export type CompleteRefundRefusal =
  DomainError<'ORDER.REFUND_NOT_FOUND'> | RefundMoveRefusal | SubOrderMoveRefusal;
export type FailRefundRefusal = DomainError<'ORDER.REFUND_NOT_FOUND'> | RefundMoveRefusal;

export interface CreateOrderInput {
  orderId: string;
  /** Drawn once, before the order is created (see `order-number.ts`). */
  number: string;
  checkoutId: string;
  buyerId: string;
  currency: string;
  shippingAddress: Address;
  lines: Omit<OrderLine, 'discount'>[];
  shipping: { sellerId: string; amount: number }[];
}

type Amount = { amount: number; currency: string };

export interface OrderCreatedPayload {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  status: OrderStatus;
  currency: string;
  subtotal: Amount;
  shippingTotal: Amount;
  subOrders: {
    subOrderId: string;
    sellerId: string;
    lineIds: string[];
    subtotal: Amount;
    shipping: Amount;
  }[];
  version: number;
}

export interface OrderConfirmedPayload {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  total: Amount;
  discountTotal: Amount;
  subOrders: { subOrderId: string; sellerId: string; total: Amount }[];
  version: number;
}

export interface OrderPaidPayload {
  orderId: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  shippingAddress: Address;
  subOrders: {
    subOrderId: string;
    sellerId: string;
    shipping: Amount;
    items: { lineId: string; sku: string; quantity: number }[];
  }[];
  version: number;
}

export interface OrderCancelledPayload {
  orderId: string;
  checkoutId: string | null;
  buyerId: string;
  previousStatus: OrderStatus;
  code: string;
  message: string;
  paymentId: string | null;
  restock: { sku: string; quantity: number }[];
  version: number;
}

/** `order-shipped` and `order-completed`. */
export interface OrderMovedPayload {
  orderId: string;
  buyerId: string;
  version: number;
}

export interface OrderRefundedPayload {
  orderId: string;
  buyerId: string;
  refundRequestId: string;
  subOrderId: string;
  amount: Amount;
  orderFullyRefunded: boolean;
  subOrderRefunded: boolean;
  restock: { sku: string; quantity: number }[];
  version: number;
}

interface RefundRequestRef {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
}

export interface RefundRequestedPayload extends RefundRequestRef {
  amount: Amount;
  reason: string;
}

export interface RefundApprovedPayload extends RefundRequestRef {
  paymentId: string;
  amount: Amount;
  lines: { lineId: string; sku: string; quantity: number; amount: Amount }[];
  approvedBy: string;
}

export interface RefundRejectedPayload extends RefundRequestRef {
  reason: string;
}

/** v2 of an event: v1 plus the order's number (and each listed sub-order's). */
type Numbered<P> = P extends { subOrders: (infer S)[] }
  ? Omit<P, 'subOrders'> & { orderNumber: string; subOrders: (S & { subOrderNumber: string })[] }
  : P & { orderNumber: string };

/**
 * The events an order raises, by contract (all on `orders.order`, keyed by order id). The ones
 * the buyer is notified about, and the creation, are raised twice: v2 (first) carries the order
 * number, v1 is still published beside it until every consumer reads v2 (event-contracts/README.md).
 */
export type OrderEvents = {
  'orders.order-created@2': Numbered<OrderCreatedPayload>;
  'orders.order-created@1': OrderCreatedPayload;
  'orders.order-confirmed@2': Numbered<OrderConfirmedPayload>;
  'orders.order-confirmed@1': OrderConfirmedPayload;
  'orders.order-paid@2': Numbered<OrderPaidPayload>;
  'orders.order-paid@1': OrderPaidPayload;
  'orders.order-cancelled@2': Numbered<OrderCancelledPayload>;
  'orders.order-cancelled@1': OrderCancelledPayload;
  'orders.order-shipped@2': Numbered<OrderMovedPayload>;
  'orders.order-shipped@1': OrderMovedPayload;
  'orders.order-completed@2': Numbered<OrderMovedPayload>;
  'orders.order-completed@1': OrderMovedPayload;
  'orders.order-refunded@2': Numbered<OrderRefundedPayload>;
  'orders.order-refunded@1': OrderRefundedPayload;
  'orders.refund-requested@1': RefundRequestedPayload;
  'orders.refund-approved@1': RefundApprovedPayload;
  'orders.refund-rejected@1': RefundRejectedPayload;
};

/** Total paid for the first `n` units of a line: the line discount is split over its units by largest remainder. */
export function paidForUnits(
  line: Pick<OrderLine, 'quantity' | 'unitPrice' | 'discount'>,
  from: number,
  count: number,
  currency: string,
): number {
  if (count === 0) return 0;
  const perUnit = Money.from(line.discount, currency).allocate(new Array<number>(line.quantity).fill(1));
  const discount = perUnit.slice(from, from + count).reduce((sum, m) => sum + m.amount, 0);
  return line.unitPrice * count - discount;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const lineGross = (l: Pick<OrderLine, 'quantity' | 'unitPrice'>) => l.unitPrice * l.quantity;
/** Requests that hold units: everything not rejected or failed. */
const holdsUnits = (r: RefundRequest) => r.status !== 'REJECTED' && r.status !== 'FAILED';

/**
 * An order: one buyer, one currency, one sub-order per seller with its lines (a price snapshot
 * taken at checkout), its refund requests and its timeline. Every change bumps `version` and
 * records the event other services react to.
 */

/** The `reason` payments gives a void when the provider refused the capture for good. */
export const CAPTURE_FAILED_REASON = 'CAPTURE_FAILED';
export class Order extends AggregateRoot<OrderEvents> {
  id!: string;
  /** What people call the order (`MP-7KQ2M4XD`): unique, assigned once at creation. */
  number!: string;
  checkoutId!: string | null;
  buyerId!: string;
  currency!: string;
  shippingAddress!: Address;
  subOrders!: SubOrder[];
  refundRequests!: RefundRequest[];
  timeline!: TimelineEntry[];
  paymentId!: string | null;
  cancellation!: Cancellation | null;
  paidAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
  private _status!: OrderStatus;
  private _version!: number;

  get status(): OrderStatus {
    return this._status;
  }
  get version(): number {
    return this._version;
  }

  static create(input: CreateOrderInput, now: Date): Result<Order> {
    if (input.lines.length === 0)
      return err(OrderErrors.invalid('An order needs at least one line', 'lines'));
    const sellers = [...new Set(input.lines.map((l) => l.sellerId))];
    for (const line of input.lines) {
      if (!Number.isSafeInteger(line.quantity) || line.quantity < 1)
        return err(OrderErrors.invalid('Quantities are positive integers', 'lines'));
      if (!Number.isSafeInteger(line.unitPrice) || line.unitPrice < 0)
        return err(OrderErrors.invalid('Prices are non-negative integers', 'lines'));
    }
    const order = new Order();
    Object.assign(order, {
      id: input.orderId,
      number: input.number,
      checkoutId: input.checkoutId,
      buyerId: input.buyerId,
      currency: input.currency,
      shippingAddress: input.shippingAddress,
      subOrders: sellers.map((sellerId, index) => ({
        id: newId(),
        number: subOrderNumberOf(input.number, index),
        sellerId,
        status: 'PENDING' as const,
        lines: input.lines.filter((l) => l.sellerId === sellerId).map((l) => ({ ...l, discount: 0 })),
        shipping: input.shipping.find((s) => s.sellerId === sellerId)?.amount ?? 0,
        shippingDiscount: 0,
      })),
      refundRequests: [],
      timeline: [],
      paymentId: null,
      cancellation: null,
      paidAt: null,
      createdAt: now,
      updatedAt: now,
      _status: 'PENDING',
      _version: 0,
    });
    order.touch(now, 'PENDING', 'Order placed');
    order.raiseCreated(now);
    return ok(order);
  }

  /**
   * A create-order that arrives after the saga already cancelled the order (its create timed
   * out): the order is recorded CANCELLED at once, and only `order-cancelled` is published, so
   * no PENDING order is left behind and the late command gets the cancellation as its answer.
   */
  static createCancelled(input: CreateOrderInput, cancellation: Cancellation, now: Date): Result<Order> {
    const created = Order.create(input, now);
    if (!created.ok) return created;
    const order = created.value;
    order.pullEvents();
    const cancelled = order.cancel({ ...cancellation, actorId: null }, now);
    if (!cancelled.ok) return cancelled;
    return ok(order);
  }

  // ---- totals (minor units) ----
  get lines(): OrderLine[] {
    return this.subOrders.flatMap((s) => s.lines);
  }
  get subtotal(): number {
    return sum(this.subOrders.map(subOrderSubtotal));
  }
  get shippingTotal(): number {
    return sum(this.subOrders.map((s) => s.shipping));
  }
  get discountTotal(): number {
    return sum(this.subOrders.map(subOrderDiscount));
  }
  get total(): number {
    return this.subtotal + this.shippingTotal - this.discountTotal;
  }

  /** Replays the created event for a re-sent create-order command (the saga may have missed it). */
  replyCreated(now: Date): void {
    this.raiseCreated(now);
  }

  /**
   * Applies the coupon discounts and records the authorized payment. A discount larger than its
   * line (or shipping) is capped, so nothing goes negative. Confirming a confirmed (or later)
   * order with the same payment replays the confirmed event.
   */
  confirm(
    input: {
      paymentId: string;
      lineDiscounts: { lineId: string; amount: number; currency: string }[];
      shippingDiscounts: { sellerId: string; amount: number; currency: string }[];
    },
    now: Date,
  ): Result<{ replayed: boolean }> {
    if (this.status !== 'PENDING') {
      // A confirm that arrives after the saga compensated (cancelled) the order changes nothing.
      if (this.status === 'CANCELLED' || this.status === 'FAILED') return ok({ replayed: false });
      if (this.paymentId === input.paymentId) {
        this.emitConfirmed(input.paymentId, now);
        return ok({ replayed: true });
      }
      return orderMachine.transition(this.status, 'CONFIRMED') as Result<never>;
    }
    if ([...input.lineDiscounts, ...input.shippingDiscounts].some((d) => d.currency !== this.currency))
      return err(OrderErrors.currency());
    for (const discount of input.lineDiscounts) {
      const line = this.lines.find((l) => l.lineId === discount.lineId);
      if (!line) return err(OrderErrors.invalid(`Unknown line ${discount.lineId}`, 'lineDiscounts'));
      line.discount = Math.min(lineGross(line), line.discount + discount.amount);
    }
    for (const discount of input.shippingDiscounts) {
      const sub = this.subOrders.find((s) => s.sellerId === discount.sellerId);
      if (!sub) continue; // a seller without a sub-order has no shipping to discount
      sub.shippingDiscount = Math.min(sub.shipping, sub.shippingDiscount + discount.amount);
    }
    const moved = this.moveAll('CONFIRMED');
    if (!moved.ok) return moved;
    this.paymentId = input.paymentId;
    this.touch(now, 'CONFIRMED', 'Payment authorized');
    this.emitConfirmed(input.paymentId, now);
    return ok({ replayed: false });
  }

  private emitConfirmed(paymentId: string, now: Date) {
    const confirmed: OrderConfirmedPayload = {
      orderId: this.id,
      checkoutId: this.sagaCheckoutId,
      buyerId: this.buyerId,
      paymentId,
      currency: this.currency,
      total: this.money(this.total),
      discountTotal: this.money(this.discountTotal),
      subOrders: this.subOrders.map((s) => ({
        subOrderId: s.id,
        sellerId: s.sellerId,
        total: this.money(subOrderTotal(s)),
      })),
      version: this.version,
    };
    this.raise('orders.order-confirmed@2', this.withNumbers(confirmed), { occurredAt: now });
    this.raise('orders.order-confirmed@1', confirmed, { occurredAt: now });
  }

  /**
   * Captured: PAID, and shipping gets the address and the items per sub-order. Repeated: no-op.
   * A capture of this order's payment that lands after the CONFIRMED order was cancelled took
   * money payments can no longer void: it is refunded in full at once (the cancellation already
   * returned the units, so these refunds restock nothing). Nothing is shipped.
   */
  markPaid(paymentId: string, capturedAt: Date, now: Date): Result<{ changed: boolean }, MarkPaidRefusal> {
    if (this.status !== 'CONFIRMED') {
      if (this.status === 'CANCELLED' && !this.paidAt && this.paymentId === paymentId) {
        this.paidAt = capturedAt;
        this.touch(now, this.status, 'Payment captured after cancellation: refunding it');
        this.refundEverything('Cancelled before the payment was captured', this.buyerId, now, {
          restock: false,
        });
        return ok({ changed: true });
      }
      // Already paid (or its late capture already refunded), or cancelled before any payment.
      if (this.paidAt || this.status === 'CANCELLED' || this.status === 'FAILED')
        return ok({ changed: false });
      return orderMachine.transition(this.status, 'PAID') as Result<never, OrderMoveRefusal>;
    }
    if (this.paymentId !== paymentId)
      return err(OrderErrors.invalid('Captured payment is not the order payment', 'paymentId'));
    const moved = this.moveAll('PAID');
    if (!moved.ok) return moved;
    this.paidAt = capturedAt;
    this.touch(now, 'PAID', 'Payment captured');
    const paid: OrderPaidPayload = {
      orderId: this.id,
      buyerId: this.buyerId,
      paymentId,
      currency: this.currency,
      shippingAddress: this.shippingAddress,
      subOrders: this.subOrders.map((s) => ({
        subOrderId: s.id,
        sellerId: s.sellerId,
        shipping: this.money(s.shipping),
        items: s.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
      })),
      version: this.version,
    };
    this.raise('orders.order-paid@2', this.withNumbers(paid), { occurredAt: now });
    this.raise('orders.order-paid@1', paid, { occurredAt: now });
    return ok({ changed: true });
  }

  /**
   * Cancels while PENDING/CONFIRMED/PAID and before anything shipped. Cancelling a PAID order
   * approves a full refund per sub-order at once (the money was taken). Repeated: no-op.
   */
  cancel(
    input: { code: string; message: string; actorId: string | null },
    now: Date,
  ): Result<{ changed: boolean }, CancelRefusal> {
    if (this.status === 'CANCELLED') return ok({ changed: false });
    const previousStatus = this.status;
    // The tables say what may still be cancelled: nothing shipped, nothing settled.
    if (!this.moveAll('CANCELLED').ok) return err(OrderErrors.notCancellable());
    this.cancellation = { code: input.code, message: input.message };
    this.touch(now, 'CANCELLED', input.message);
    const cancelled: OrderCancelledPayload = {
      orderId: this.id,
      checkoutId: this.checkoutId,
      buyerId: this.buyerId,
      previousStatus,
      code: input.code,
      message: input.message,
      paymentId: this.paymentId,
      // Only a CONFIRMED order holds committed stock nobody else gives back: a PENDING one's
      // reservation is released by the saga's compensation, a PAID one restocks through its refund.
      restock:
        previousStatus === 'CONFIRMED' ? this.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) : [],
      version: this.version,
    };
    this.raise('orders.order-cancelled@2', this.withNumber(cancelled), { occurredAt: now });
    this.raise('orders.order-cancelled@1', cancelled, { occurredAt: now });
    if (previousStatus === 'PAID') {
      // The money was taken: give it all back through the refund saga, no seller decision needed.
      this.refundEverything(`Cancelled: ${input.message}`, input.actorId ?? this.buyerId, now);
    }
    return ok({ changed: true });
  }

  /**
   * Every unit of every sub-order goes back: requests still awaiting the seller are approved as
   * they are (rejecting one later would leave its units unpaid), and one more approved request
   * per sub-order covers the units nobody asked for yet (with the shipping by the usual rule).
   */
  private refundEverything(
    reason: string,
    approvedBy: string,
    now: Date,
    options: { restock?: false } = {},
  ): void {
    for (const s of this.subOrders) {
      for (const pending of this.refundRequests.filter(
        (r) => r.subOrderId === s.id && r.status === 'REQUESTED',
      ))
        this.approveRequest(pending, approvedBy, now);
      const unclaimed = s.lines
        .map((l) => ({ lineId: l.lineId, quantity: l.quantity - this.unitsHeld(l.lineId) }))
        .filter((l) => l.quantity > 0);
      if (unclaimed.length === 0) continue;
      const request = this.addRefundRequest(s, unclaimed, reason, now, options);
      this.approveRequest(request, approvedBy, now);
    }
  }

  /**
   * Payments gave up capturing (the provider refused for good) and voided the payment: a
   * CONFIRMED order with that payment is cancelled the usual way, its committed units restocked.
   * Any other state (already cancelled, paid, another payment): nothing to do.
   */
  paymentVoided(paymentId: string, reason: string, now: Date): Result<{ changed: boolean }, CancelRefusal> {
    // Other voids (the saga's compensation, a buyer's cancellation) come with their own
    // cancel-order or follow one; only a refused capture is news to the order.
    if (reason !== CAPTURE_FAILED_REASON) return ok({ changed: false });
    if (this.status !== 'CONFIRMED' || this.paymentId !== paymentId) return ok({ changed: false });
    return this.cancel(
      {
        code: 'PAYMENT.CAPTURE_FAILED',
        message:
          'We could not collect the payment for this order, so it was cancelled. You have not been charged.',
        actorId: null,
      },
      now,
    );
  }

  /** A sub-order's shipment was dispatched or delivered; the order follows when all sub-orders have. */
  applyShipment(
    subOrderId: string,
    kind: 'DISPATCHED' | 'DELIVERED',
    now: Date,
  ): Result<{ changed: boolean }, ShipmentRefusal> {
    const sub = this.subOrders.find((s) => s.id === subOrderId);
    if (!sub) return err(OrderErrors.subOrderNotFound());
    const target: SubOrderStatus = kind === 'DISPATCHED' ? 'SHIPPED' : 'DELIVERED';
    const path: SubOrderStatus[] =
      kind === 'DELIVERED' && sub.status === 'PAID' ? ['SHIPPED', 'DELIVERED'] : [target];
    if (sub.status === target || (target === 'SHIPPED' && sub.status === 'DELIVERED'))
      return ok({ changed: false });
    // Refunded or cancelled sub-orders keep their status; a late carrier event changes nothing.
    if (sub.status === 'REFUNDED' || sub.status === 'CANCELLED') return ok({ changed: false });
    for (const step of path) {
      const moved = Order.moveSubOrder(sub, step);
      if (!moved.ok) return moved;
    }
    this.touch(now, this.status, `Sub-order ${target.toLowerCase()}`, sub.id);
    const active = this.subOrders.filter((s) => s.status !== 'REFUNDED' && s.status !== 'CANCELLED');
    if (this.status === 'PAID' && active.every((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED')) {
      const moved = this.moveTo('SHIPPED');
      if (!moved.ok) return moved;
      this.touch(now, 'SHIPPED', 'All sub-orders shipped');
      const shipped: OrderMovedPayload = {
        orderId: this.id,
        buyerId: this.buyerId,
        version: this.version,
      };
      this.raise('orders.order-shipped@2', this.withNumber(shipped), { occurredAt: now });
      this.raise('orders.order-shipped@1', shipped, { occurredAt: now });
    }
    if (this.status === 'SHIPPED' && active.every((s) => s.status === 'DELIVERED')) {
      const moved = this.moveTo('COMPLETED');
      if (!moved.ok) return moved;
      this.touch(now, 'COMPLETED', 'All sub-orders delivered');
      const completed: OrderMovedPayload = {
        orderId: this.id,
        buyerId: this.buyerId,
        version: this.version,
      };
      this.raise('orders.order-completed@2', this.withNumber(completed), { occurredAt: now });
      this.raise('orders.order-completed@1', completed, { occurredAt: now });
    }
    return ok({ changed: true });
  }

  /** Units of a line bought minus those refunded or asked for (pending or approved). */
  refundableUnits(lineId: string): number {
    const line = this.lines.find((l) => l.lineId === lineId);
    return line ? line.quantity - this.unitsHeld(lineId) : 0;
  }

  private unitsHeld(lineId: string): number {
    return sum(
      this.refundRequests
        .filter(holdsUnits)
        .flatMap((r) => r.lines.filter((l) => l.lineId === lineId).map((l) => l.quantity)),
    );
  }

  /** The buyer asks for a refund of lines of one sub-order, within the window after payment. */
  requestRefund(
    input: { subOrderId: string; lines: { lineId: string; quantity: number }[]; reason: string },
    policy: { windowDays: number },
    now: Date,
  ): Result<RefundRequest> {
    if (!['PAID', 'SHIPPED', 'COMPLETED'].includes(this.status)) return err(OrderErrors.notRefundable());
    if (!this.paidAt || now.getTime() - this.paidAt.getTime() > policy.windowDays * 86_400_000)
      return err(OrderErrors.refundWindowClosed());
    const sub = this.subOrders.find((s) => s.id === input.subOrderId);
    if (!sub) return err(OrderErrors.subOrderNotFound());
    if (sub.status === 'REFUNDED') return err(OrderErrors.notRefundable());
    if (input.lines.length === 0) return err(OrderErrors.invalid('Name at least one line', 'lines'));
    const seen = new Set<string>();
    for (const l of input.lines) {
      if (seen.has(l.lineId)) return err(OrderErrors.invalid('Each line at most once', 'lines'));
      seen.add(l.lineId);
      if (!sub.lines.some((x) => x.lineId === l.lineId))
        return err(OrderErrors.invalid(`Line ${l.lineId} is not in this sub-order`, 'lines'));
      if (!Number.isSafeInteger(l.quantity) || l.quantity < 1)
        return err(OrderErrors.invalid('Quantities are positive', 'lines'));
      if (l.quantity > this.refundableUnits(l.lineId)) return err(OrderErrors.refundQuantity(l.lineId));
    }
    const request = this.addRefundRequest(sub, input.lines, input.reason, now);
    this.touch(now, this.status, 'Refund requested', sub.id);
    const requested: RefundRequestedPayload = {
      refundRequestId: request.id,
      orderId: this.id,
      subOrderId: sub.id,
      sellerId: sub.sellerId,
      buyerId: this.buyerId,
      amount: this.money(request.amount),
      reason: request.reason,
    };
    this.raise('orders.refund-requested@1', requested, { occurredAt: now });
    return ok(request);
  }

  private addRefundRequest(
    sub: SubOrder,
    lines: { lineId: string; quantity: number }[],
    reason: string,
    now: Date,
    options: { restock?: false } = {},
  ): RefundRequest {
    const refundLines = lines.map((l) => {
      const line = sub.lines.find((x) => x.lineId === l.lineId)!;
      const from = this.unitsHeld(l.lineId);
      return {
        lineId: l.lineId,
        sku: line.sku,
        quantity: l.quantity,
        amount: paidForUnits(line, from, l.quantity, this.currency),
      };
    });
    // Shipping goes back only with the sub-order's last units, and only once: a rejected or failed
    // request frees its units, so a later request can "complete" the sub-order again while an
    // earlier one (requested, approved or completed) already carries the shipping.
    const wholeSubOrder = sub.lines.every(
      (line) =>
        this.unitsHeld(line.lineId) + (refundLines.find((r) => r.lineId === line.lineId)?.quantity ?? 0) ===
        line.quantity,
    );
    const shippingHeld = this.refundRequests.some(
      (r) => r.subOrderId === sub.id && holdsUnits(r) && r.shippingAmount > 0,
    );
    const shippingAmount = wholeSubOrder && !shippingHeld ? sub.shipping - sub.shippingDiscount : 0;
    const request: RefundRequest = {
      id: newId(),
      subOrderId: sub.id,
      sellerId: sub.sellerId,
      status: 'REQUESTED',
      lines: refundLines,
      shippingAmount,
      amount: sum(refundLines.map((l) => l.amount)) + shippingAmount,
      reason,
      requestedAt: now.toISOString(),
      decidedAt: null,
      decidedBy: null,
      rejectionReason: null,
      ...(options.restock === false ? { restock: false as const } : {}),
    };
    this.refundRequests = [...this.refundRequests, request];
    return request;
  }

  refundRequest(id: string): RefundRequest | undefined {
    return this.refundRequests.find((r) => r.id === id);
  }

  approveRefund(refundRequestId: string, approvedBy: string, now: Date): Result<RefundRequest> {
    const request = this.refundRequest(refundRequestId);
    if (!request) return err(OrderErrors.refundNotFound());
    const approved = this.approveRequest(request, approvedBy, now);
    return approved.ok ? ok(request) : approved;
  }

  private approveRequest(request: RefundRequest, approvedBy: string, now: Date): Result<RefundStatus> {
    const moved = Order.moveRefund(request, 'APPROVED');
    if (!moved.ok) return moved;
    request.decidedAt = now.toISOString();
    request.decidedBy = approvedBy;
    this.touch(now, this.status, 'Refund approved', request.subOrderId);
    const approved: RefundApprovedPayload = {
      refundRequestId: request.id,
      orderId: this.id,
      subOrderId: request.subOrderId,
      sellerId: request.sellerId,
      buyerId: this.buyerId,
      paymentId: this.capturedPaymentId,
      amount: this.money(request.amount),
      lines: request.lines.map((l) => ({ ...l, amount: this.money(l.amount) })),
      approvedBy,
    };
    this.raise('orders.refund-approved@1', approved, { occurredAt: now });
    return moved;
  }

  rejectRefund(
    refundRequestId: string,
    rejectedBy: string,
    reason: string,
    now: Date,
  ): Result<RefundRequest> {
    const request = this.refundRequest(refundRequestId);
    if (!request) return err(OrderErrors.refundNotFound());
    const moved = Order.moveRefund(request, 'REJECTED');
    if (!moved.ok) return moved;
    request.decidedAt = now.toISOString();
    request.decidedBy = rejectedBy;
    request.rejectionReason = reason;
    this.touch(now, this.status, `Refund rejected: ${reason}`, request.subOrderId);
    this.emitRejected(request, reason, now);
    return ok(request);
  }

  private emitRejected(request: RefundRequest, reason: string, now: Date) {
    const rejected: RefundRejectedPayload = {
      refundRequestId: request.id,
      orderId: this.id,
      subOrderId: request.subOrderId,
      sellerId: request.sellerId,
      buyerId: this.buyerId,
      reason,
    };
    this.raise('orders.refund-rejected@1', rejected, { occurredAt: now });
  }

  /**
   * Payments refunded the request: the units count as refunded; a sub-order whose every unit is
   * refunded is REFUNDED, and so is the order when all of its sub-orders are (a cancelled order
   * stays CANCELLED). Units of a sub-order not yet shipped go back to stock, unless the request
   * says they already did (`restock: false`). Repeated: no-op.
   */
  completeRefund(refundRequestId: string, now: Date): Result<{ changed: boolean }, CompleteRefundRefusal> {
    const request = this.refundRequest(refundRequestId);
    if (!request) return err(OrderErrors.refundNotFound());
    if (request.status === 'COMPLETED') return ok({ changed: false });
    const moved = Order.moveRefund(request, 'COMPLETED');
    if (!moved.ok) return moved;
    const sub = this.subOrders.find((s) => s.id === request.subOrderId)!;
    const unshipped = ['PENDING', 'CONFIRMED', 'PAID', 'CANCELLED'].includes(sub.status);
    const restock = unshipped && request.restock !== false;
    const refundedUnits = (lineId: string) =>
      sum(
        this.refundRequests
          .filter((r) => r.status === 'COMPLETED')
          .flatMap((r) => r.lines.filter((l) => l.lineId === lineId).map((l) => l.quantity)),
      );
    if (sub.status !== 'REFUNDED' && sub.lines.every((l) => refundedUnits(l.lineId) === l.quantity)) {
      const refunded = Order.moveSubOrder(sub, 'REFUNDED');
      if (!refunded.ok) return refunded;
    }
    const fully = this.subOrders.every((s) => s.status === 'REFUNDED');
    // A cancelled order stays CANCELLED: its table has no move to REFUNDED.
    if (fully && this.moveTo('REFUNDED').ok) {
      this.touch(now, 'REFUNDED', 'Order fully refunded');
    } else {
      this.touch(now, this.status, 'Refund paid out', request.subOrderId);
    }
    const refunded: OrderRefundedPayload = {
      orderId: this.id,
      buyerId: this.buyerId,
      refundRequestId: request.id,
      subOrderId: sub.id,
      amount: this.money(request.amount),
      orderFullyRefunded: fully,
      subOrderRefunded: sub.status === 'REFUNDED',
      restock: restock ? request.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) : [],
      version: this.version,
    };
    this.raise('orders.order-refunded@2', this.withNumber(refunded), { occurredAt: now });
    this.raise('orders.order-refunded@1', refunded, { occurredAt: now });
    return ok({ changed: true });
  }

  /** Payments could not refund: the units are free to be asked for again. Repeated: no-op. */
  failRefund(
    refundRequestId: string,
    code: string,
    message: string,
    now: Date,
  ): Result<{ changed: boolean }, FailRefundRefusal> {
    const request = this.refundRequest(refundRequestId);
    if (!request) return err(OrderErrors.refundNotFound());
    if (request.status === 'FAILED') return ok({ changed: false });
    const moved = Order.moveRefund(request, 'FAILED');
    if (!moved.ok) return moved;
    // Bounded like any reason the buyer sees (the provider's message may be long).
    request.rejectionReason = `${code}: ${message}`.slice(0, 1000);
    this.touch(now, this.status, `Refund failed: ${message}`, request.subOrderId);
    this.emitRejected(request, request.rejectionReason, now);
    return ok({ changed: true });
  }

  /** The only way the order's status changes: through its lifecycle table. */
  private moveTo(to: OrderStatus): Result<OrderStatus, OrderMoveRefusal> {
    const moved = orderMachine.transition(this._status, to);
    if (moved.ok) this._status = moved.value;
    return moved;
  }

  /**
   * The order and every sub-order move together (confirmed, paid, cancelled), or none moves: each
   * move is checked against its table first.
   */
  private moveAll(
    to: OrderStatus & SubOrderStatus,
  ): Result<OrderStatus, OrderMoveRefusal | SubOrderMoveRefusal> {
    const refused = [
      orderMachine.transition(this._status, to),
      ...this.subOrders.map((s) => subOrderMachine.transition(s.status, to)),
    ].find((r) => !r.ok);
    if (refused && !refused.ok) return refused;
    for (const s of this.subOrders) Order.moveSubOrder(s, to);
    return this.moveTo(to);
  }

  /** The only way a sub-order's status changes. */
  private static moveSubOrder(
    sub: SubOrder,
    to: SubOrderStatus,
  ): Result<SubOrderStatus, SubOrderMoveRefusal> {
    const moved = subOrderMachine.transition(sub.status, to);
    if (moved.ok) enter(sub, moved.value);
    return moved;
  }

  /** The only way a refund request's status changes. */
  private static moveRefund(
    request: RefundRequest,
    to: RefundStatus,
  ): Result<RefundStatus, RefundMoveRefusal> {
    const moved = refundMachine.transition(request.status, to);
    if (moved.ok) enter(request, moved.value);
    return moved;
  }

  private touch(now: Date, status: string, note: string | null, subOrderId?: string) {
    this._version += 1;
    this.updatedAt = now;
    // A new array, so the ORM sees the JSON column changed.
    this.timeline = [
      ...this.timeline,
      { at: now.toISOString(), status, note, ...(subOrderId ? { subOrderId } : {}) },
    ];
    this.subOrders = [...this.subOrders];
    this.refundRequests = [...this.refundRequests];
  }

  private money(amount: number) {
    return { amount, currency: this.currency };
  }

  private raiseCreated(now: Date) {
    const created: OrderCreatedPayload = {
      orderId: this.id,
      checkoutId: this.sagaCheckoutId,
      buyerId: this.buyerId,
      status: this.status,
      currency: this.currency,
      subtotal: this.money(this.subtotal),
      shippingTotal: this.money(this.shippingTotal),
      subOrders: this.subOrders.map((s) => ({
        subOrderId: s.id,
        sellerId: s.sellerId,
        lineIds: s.lines.map((l) => l.lineId),
        subtotal: this.money(subOrderSubtotal(s)),
        shipping: this.money(s.shipping),
      })),
      version: this.version,
    };
    this.raise('orders.order-created@2', this.withNumbers(created), { occurredAt: now });
    this.raise('orders.order-created@1', created, { occurredAt: now });
  }

  /** The v2 payload of an event without sub-orders: v1 plus the order number. */
  private withNumber<P extends object>(payload: P): P & { orderNumber: string } {
    return { ...payload, orderNumber: this.number };
  }

  /** The v2 payload of an event listing sub-orders: v1 plus the order's and each sub-order's number. */
  private withNumbers<S extends { subOrderId: string }, P extends { subOrders: S[] }>(
    payload: P,
  ): Omit<P, 'subOrders'> & { orderNumber: string; subOrders: (S & { subOrderNumber: string })[] } {
    return {
      ...payload,
      orderNumber: this.number,
      subOrders: payload.subOrders.map((s) => ({ ...s, subOrderNumber: this.subOrderNumber(s.subOrderId) })),
    };
  }

  /** Every order the checkout saga creates has its checkout (the column allows none for older rows). */
  private get sagaCheckoutId(): string {
    if (!this.checkoutId) throw new Error(`order ${this.id} has no checkout`);
    return this.checkoutId;
  }

  /** A refund is approved only on an order that was paid, so its payment is known. */
  private get capturedPaymentId(): string {
    if (!this.paymentId) throw new Error(`order ${this.id} has no payment`);
    return this.paymentId;
  }

  private subOrderNumber(subOrderId: string): string {
    const sub = this.subOrders.find((x) => x.id === subOrderId);
    if (!sub) throw new Error(`sub-order ${subOrderId} is not part of order ${this.id}`);
    return sub.number;
  }
}

/**
 * Writes a status its table allowed (`moveSubOrder`, `moveRefund` only): `status` is read-only
 * everywhere else, so no other code can set it.
 */
function enter<S extends string>(holder: { readonly status: S }, status: S): void {
  (holder as { status: S }).status = status;
}

export const subOrderSubtotal = (s: SubOrder) => sum(s.lines.map(lineGross));
export const subOrderDiscount = (s: SubOrder) => sum(s.lines.map((l) => l.discount)) + s.shippingDiscount;
export const subOrderTotal = (s: SubOrder) => subOrderSubtotal(s) + s.shipping - subOrderDiscount(s);
