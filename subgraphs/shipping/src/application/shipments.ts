import { InvariantViolation, ok, type Result } from '@marketplace/shared-kernel';
import { Shipment, type NewShipment } from '../domain/shipment.js';
import { canConfirmDelivery, canDispatch } from './access.js';
import type { ShippingContext } from './ports.js';

/** One PENDING shipment per paid sub-order; a sub-order that already has one is skipped. */
export function createShipments(
  order: { orderId: string; buyerId: string; subOrders: readonly { subOrderId: string; sellerId: string }[] },
  ctx: ShippingContext,
): Promise<Result<Shipment[]>> {
  return ctx.transaction(async (tx) => {
    const existing = new Set(
      (await tx.shipments.bySubOrderIds(order.subOrders.map((s) => s.subOrderId))).map((s) => s.subOrderId),
    );
    const created: Shipment[] = [];
    for (const sub of order.subOrders) {
      if (existing.has(sub.subOrderId)) continue;
      const input: NewShipment = {
        orderId: order.orderId,
        subOrderId: sub.subOrderId,
        sellerId: sub.sellerId,
        buyerId: order.buyerId,
      };
      const shipment = Shipment.create(input, ctx.clock.now());
      if (!shipment.ok) return shipment;
      tx.shipments.add(shipment.value);
      tx.track(shipment.value);
      created.push(shipment.value);
    }
    return ok(created);
  });
}

/**
 * The order (or, given `subOrderId`, that one sub-order) will not be shipped: pending parcels are
 * cancelled; dispatched ones go their way.
 */
export function cancelShipments(
  orderId: string,
  reason: string,
  ctx: ShippingContext,
  subOrderId?: string,
): Promise<Result<number>> {
  return ctx.transaction(async (tx) => {
    let cancelled = 0;
    for (const shipment of await tx.shipments.byOrderIdForUpdate(orderId)) {
      if (shipment.status !== 'PENDING') continue;
      if (subOrderId && shipment.subOrderId !== subOrderId) continue;
      const done = shipment.cancel(reason, ctx.clock.now());
      if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
      if (done.value) cancelled += 1;
    }
    return ok(cancelled);
  });
}

export function dispatchShipment(
  input: { shipmentId: string; carrier: string; trackingNumber: string },
  ctx: ShippingContext,
): Promise<Result<Shipment>> {
  return ctx.transaction(async (tx) => {
    const allowed = canDispatch(ctx.actor, await tx.shipments.byIdForUpdate(input.shipmentId));
    if (!allowed.ok) return allowed;
    const shipment = allowed.value;
    const done = shipment.dispatch(input.carrier, input.trackingNumber, ctx.clock.now());
    if (!done.ok) return done;
    tx.track(shipment);
    return ok(shipment);
  });
}

export function confirmDelivery(shipmentId: string, ctx: ShippingContext): Promise<Result<Shipment>> {
  return ctx.transaction(async (tx) => {
    const allowed = canConfirmDelivery(ctx.actor, await tx.shipments.byIdForUpdate(shipmentId));
    if (!allowed.ok) return allowed;
    const shipment = allowed.value;
    const done = shipment.deliver(ctx.clock.now());
    if (!done.ok) return done;
    tx.track(shipment);
    return ok(shipment);
  });
}
