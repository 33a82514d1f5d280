import { Guard, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import { Order, OrderErrors, type CreateOrderInput } from '../domain/order.js';
import { orderNumberOf } from '../domain/order-number.js';
import type { OrdersContext } from './ports.js';

type Money = { amount: number; currency: string };

/**
 * Saga step "create order". Idempotent by orderId: a re-sent command finds the order and
 * publishes `order-created` again, so a saga that timed out still gets its reply.
 */
export function createOrder(
  input: Omit<CreateOrderInput, 'number' | 'lines' | 'shipping'> & {
    lines: (Omit<CreateOrderInput['lines'][number], 'unitPrice'> & { unitPrice: Money })[];
    shipping: { sellerId: string; amount: Money }[];
  },
  ctx: OrdersContext,
): Promise<Result<Order>> {
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    await tx.orders.lockId(input.orderId);
    const existing = await tx.orders.byIdForUpdate(input.orderId);
    if (existing) {
      existing.replyCreated(now);
      tx.track(existing);
      return ok(existing);
    }
    const amounts = [...input.lines.map((l) => l.unitPrice), ...input.shipping.map((s) => s.amount)];
    if (amounts.some((m) => m.currency !== input.currency)) return err(OrderErrors.currency());
    const order = {
      ...input,
      number: orderNumberOf(await tx.orders.nextNumberSequence()),
      lines: input.lines.map((l) => ({ ...l, unitPrice: l.unitPrice.amount })),
      shipping: input.shipping.map((s) => ({ sellerId: s.sellerId, amount: s.amount.amount })),
    };
    // The saga already gave up on this order: record it cancelled, answer with the cancellation.
    const cancelledEarly = await tx.orders.earlyCancellation(input.orderId);
    const created = cancelledEarly
      ? Order.createCancelled(order, cancelledEarly, now)
      : Order.create(order, now);
    if (!created.ok) return created;
    await tx.orders.save(created.value);
    tx.track(created.value);
    return created;
  });
}

/** Why `changeOrder` refuses before `apply` runs: a malformed id, or no such order. */
type ChangeOrderCode = 'VALIDATION.MALFORMED_ID' | 'ORDER.NOT_FOUND';

/**
 * Loads, applies, saves: the shape of every change to one order. Returns `apply`'s codes and its
 * own (`ChangeOrderCode`), so a consumer's `expected` list is checked against them.
 */
export function changeOrder<T, C extends string = string>(
  orderId: string,
  ctx: OrdersContext,
  apply: (order: Order, now: Date) => Result<T, DomainError<C>> | Promise<Result<T, DomainError<C>>>,
): Promise<Result<T, DomainError<C | ChangeOrderCode>>> {
  const id = Guard.uuid('orderId', orderId);
  if (!id.ok) return Promise.resolve(id);
  return ctx.transaction<T, C | ChangeOrderCode>(async (tx) => {
    const order = await tx.orders.byIdForUpdate(id.value);
    if (!order) return err(OrderErrors.notFound());
    const result = await apply(order, ctx.clock.now());
    if (!result.ok) return result;
    await tx.orders.save(order);
    tx.track(order);
    return result;
  });
}

/** Saga step "confirm order": discounts applied, payment recorded; repeated: the reply again. */
export const confirmOrder = (
  input: {
    orderId: string;
    paymentId: string;
    lineDiscounts: { lineId: string; amount: Money }[];
    shippingDiscounts: { sellerId: string; amount: Money }[];
  },
  ctx: OrdersContext,
) =>
  changeOrder(input.orderId, ctx, (order, now) =>
    order.confirm(
      {
        paymentId: input.paymentId,
        lineDiscounts: input.lineDiscounts.map((d) => ({ lineId: d.lineId, ...d.amount })),
        shippingDiscounts: input.shippingDiscounts.map((d) => ({ sellerId: d.sellerId, ...d.amount })),
      },
      now,
    ),
  );

/**
 * Saga compensation: cancel with the reason the buyer sees; repeated: no-op. The saga may
 * compensate a create-order that has not arrived yet: the cancellation is recorded so that a
 * late create records the order CANCELLED rather than leaving a PENDING one behind.
 */
export function cancelOrderFromCheckout(
  input: { orderId: string; code: string; message: string },
  ctx: OrdersContext,
): Promise<Result<{ changed: boolean }>> {
  const id = Guard.uuid('orderId', input.orderId);
  if (!id.ok) return Promise.resolve(id);
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    await tx.orders.lockId(id.value);
    const order = await tx.orders.byIdForUpdate(id.value);
    if (!order) {
      await tx.orders.recordEarlyCancellation(id.value, { code: input.code, message: input.message }, now);
      return ok({ changed: false });
    }
    const result = order.cancel({ code: input.code, message: input.message, actorId: null }, now);
    if (!result.ok) return result;
    await tx.orders.save(order);
    tx.track(order);
    return result;
  });
}

export const markOrderPaid = (
  input: { orderId: string; paymentId: string; capturedAt: string },
  ctx: OrdersContext,
) =>
  changeOrder(input.orderId, ctx, (order, now) =>
    order.markPaid(input.paymentId, new Date(input.capturedAt), now),
  );

/** Payments voided the payment after a capture refused for good: a CONFIRMED order is cancelled. */
export const cancelOnPaymentVoided = (
  input: { orderId: string; paymentId: string; reason: string },
  ctx: OrdersContext,
) => changeOrder(input.orderId, ctx, (order, now) => order.paymentVoided(input.paymentId, input.reason, now));

export const applyShipment = (
  input: { orderId: string; subOrderId: string; kind: 'DISPATCHED' | 'DELIVERED' },
  ctx: OrdersContext,
) => changeOrder(input.orderId, ctx, (order, now) => order.applyShipment(input.subOrderId, input.kind, now));

export const completeRefund = (input: { orderId: string; refundRequestId: string }, ctx: OrdersContext) =>
  changeOrder(input.orderId, ctx, (order, now) => order.completeRefund(input.refundRequestId, now));

export const failRefund = (
  input: { orderId: string; refundRequestId: string; code: string; message: string },
  ctx: OrdersContext,
) =>
  changeOrder(input.orderId, ctx, (order, now) =>
    order.failRefund(input.refundRequestId, input.code, input.message, now),
  );
