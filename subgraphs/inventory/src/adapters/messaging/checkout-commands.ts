import { InvariantViolation, type Result } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendToOutbox, type ConsumerDefinition, type Logger } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import {
  reserveForCheckout,
  restockCancelledOrder,
  restockRefund,
  shipParcel,
} from '../../application/checkout-stock.js';
import { commitReservation, releaseReservation } from '../../application/reservations.js';
import type { CartHoldPolicy } from '../../application/cart-holds.js';
import type { InventoryContext } from '../../application/ports.js';
import { inventoryContext } from '../persistence/inventory-store.js';

type ReserveStock = PayloadOf<'inventory.reserve-stock@1'>;
type ReleaseReservation = PayloadOf<'inventory.release-reservation@1'>;
type CommitReservation = PayloadOf<'inventory.commit-reservation@1'>;
type OrderRefunded = PayloadOf<'orders.order-refunded@1'>;
type OrderCancelled = PayloadOf<'orders.order-cancelled@1'>;
type ShipmentDispatched = PayloadOf<'shipping.shipment-dispatched@1'>;

const contextFor = (envelope: EventEnvelope, em: EntityManager): InventoryContext =>
  inventoryContext({
    actor: null,
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    em,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  });

/**
 * The checkout saga's commands. Each handler runs in the consumer's transaction: the effect, the
 * reply (through the outbox, causationId = the command's id) and the inbox row commit together.
 * reserve-stock replies `inventory.stock-reserved` (recorded by the reservation itself) or
 * `inventory.reservation-failed`; release and commit are compensations/fire-and-forget, so a
 * business refusal is logged rather than retried.
 */
export function checkoutCommandsConsumer(policy: CartHoldPolicy, logger: Logger): ConsumerDefinition {
  const reserve = async (envelope: EventEnvelope, em: EntityManager) => {
    const command = envelope.payload as ReserveStock;
    const answer = await reserveForCheckout(command, contextFor(envelope, em));
    if (!answer.ok) throw new InvariantViolation(answer.error.code, answer.error.message);
    if (answer.value.outcome === 'RESERVED') return;
    const { code, message, shortages } = answer.value;
    appendToOutbox(
      em,
      [
        {
          type: 'inventory.reservation-failed',
          version: 1,
          aggregateType: 'Reservation',
          aggregateId: command.reference,
          occurredAt: new Date(),
          payload: { reference: command.reference, code, message, shortages },
        },
      ],
      {
        producer: 'inventory',
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
    );
    await em.flush();
  };
  const settle =
    (apply: (reference: string, ctx: InventoryContext) => Promise<Result<unknown>>) =>
    async (envelope: EventEnvelope, em: EntityManager) => {
      const { reference, reason } = envelope.payload as ReleaseReservation | CommitReservation;
      const done = await apply(reference, contextFor(envelope, em));
      if (!done.ok)
        logger.warn(
          { reference, reason, code: done.error.code, messageId: envelope.id },
          `${envelope.type} refused; nothing changed`,
        );
    };
  return {
    groupId: 'inventory.checkout-commands',
    topics: [Topics.inventoryCommands],
    handlers: {
      [contractKey('inventory.reserve-stock', 1)]: reserve,
      [contractKey('inventory.release-reservation', 1)]: settle((reference, ctx) =>
        releaseReservation(reference, policy, ctx),
      ),
      [contractKey('inventory.commit-reservation', 1)]: settle(commitReservation),
    },
  };
}

/**
 * Units go back to stock: refunded units that had not shipped (committed → available, once per
 * refund request), and the committed units of an order cancelled before it was paid
 * (committed → available, once per order). On hand does not change: they never left the shelf.
 */
export function refundConsumer(): ConsumerDefinition {
  return {
    groupId: 'inventory.refunds',
    topics: [Topics.order],
    handlers: {
      [contractKey('orders.order-refunded', 1)]: async (envelope: EventEnvelope, em: EntityManager) => {
        const { refundRequestId, orderId, restock } = envelope.payload as OrderRefunded;
        const done = await restockRefund({ refundRequestId, orderId, restock }, contextFor(envelope, em));
        if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
      },
      [contractKey('orders.order-cancelled', 1)]: async (envelope: EventEnvelope, em: EntityManager) => {
        const { orderId, restock } = envelope.payload as OrderCancelled;
        const done = await restockCancelledOrder({ orderId, restock }, contextFor(envelope, em));
        if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
      },
    },
  };
}

/**
 * A dispatched parcel takes its sub-order's committed units off the shelf (on hand and committed
 * drop). A reservation whose commit has not arrived yet is refused, so the message is retried.
 */
export function shipmentConsumer(): ConsumerDefinition {
  return {
    groupId: 'inventory.shipments',
    topics: [Topics.shipment],
    handlers: {
      [contractKey('shipping.shipment-dispatched', 1)]: async (
        envelope: EventEnvelope,
        em: EntityManager,
      ) => {
        const { orderId, sellerId } = envelope.payload as ShipmentDispatched;
        const done = await shipParcel({ orderId, sellerId }, contextFor(envelope, em));
        if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
      },
    },
  };
}
