import { Guard, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { OrderErrors, type Order, type RefundRequest } from '../domain/order.js';
import { canDecideRefund } from './access.js';
import { changeOrder } from './order-commands.js';
import type { OrdersContext } from './ports.js';

export interface RefundOutcome {
  order: Order;
  request: RefundRequest;
}

const unauthenticated = () => domainError('AUTH.UNAUTHENTICATED', 'Sign in first');

/** Buyer (own order) or admin cancels before anything shipped. */
export function cancelOrder(
  input: { orderId: string; reason: string },
  ctx: OrdersContext,
): Promise<Result<Order>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(unauthenticated()));
  const reason = Guard.text('reason', input.reason, { max: 500, multiline: true });
  if (!reason.ok) return Promise.resolve(reason);
  return changeOrder(input.orderId, ctx, (order, now) => {
    // Someone else's order answers exactly like a missing one.
    if (actor.role !== 'admin' && order.buyerId !== actor.userId) return err(OrderErrors.notFound());
    if (order.status === 'CANCELLED') return err(OrderErrors.notCancellable());
    const code = actor.role === 'admin' ? 'ORDER.CANCELLED_BY_ADMIN' : 'ORDER.CANCELLED_BY_BUYER';
    const done = order.cancel({ code, message: reason.value, actorId: actor.userId }, now);
    return done.ok ? ok(order) : done;
  });
}

export function requestRefund(
  input: {
    orderId: string;
    subOrderId: string;
    lines: { lineId: string; quantity: number }[];
    reason: string;
  },
  ctx: OrdersContext,
): Promise<Result<RefundOutcome>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(unauthenticated()));
  const reason = Guard.text('reason', input.reason, { max: 1000, multiline: true });
  if (!reason.ok) return Promise.resolve(reason);
  return changeOrder(input.orderId, ctx, (order, now) => {
    if (order.buyerId !== actor.userId) return err(OrderErrors.notFound());
    const request = order.requestRefund(
      { ...input, reason: reason.value },
      { windowDays: ctx.policy.refundWindowDays },
      now,
    );
    return request.ok ? ok({ order, request: request.value }) : request;
  });
}

/** Approve or reject: the seller of the request's sub-order or an admin; others see no such request. */
export async function decideRefund(
  input: { refundRequestId: string; approve: boolean; reason?: string },
  ctx: OrdersContext,
): Promise<Result<RefundOutcome>> {
  const actor = ctx.actor;
  if (!actor) return err(unauthenticated());
  const id = Guard.uuid('refundRequestId', input.refundRequestId);
  if (!id.ok) return id;
  const reason = input.approve
    ? null
    : Guard.text('reason', input.reason ?? '', { max: 1000, multiline: true });
  if (reason && !reason.ok) return reason;
  return ctx.transaction(async (tx) => {
    const order = await tx.orders.byRefundRequestForUpdate(id.value);
    const request = order?.refundRequest(id.value);
    if (!order || !request || !canDecideRefund(actor, request.sellerId))
      return err(OrderErrors.refundNotFound());
    const now = ctx.clock.now();
    const decided = input.approve
      ? order.approveRefund(request.id, actor.userId, now)
      : order.rejectRefund(request.id, actor.userId, reason?.ok ? reason.value : '', now);
    if (!decided.ok) return decided;
    await tx.orders.save(order);
    tx.track(order);
    return ok({ order, request: decided.value });
  });
}
