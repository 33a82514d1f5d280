import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import {
  reserveForCheckout,
  restockCancelledOrder,
  restockRefund,
  shipParcel,
} from '../../application/checkout-stock.js';
import { commitReservation, releaseReservation } from '../../application/reservations.js';
import type { InventoryUseCases } from '../persistence/inventory-store.js';

/**
 * Every business refusal of release-reservation and commit-reservation: a malformed or `cart:`
 * reference, no such reservation, one in a state that cannot move that way. Release and commit
 * are compensations and fire-and-forget, so a refusal is final: logged and consumed. Each list
 * names exactly what its use case can return (checked by the compiler against its refusals).
 */
const REFERENCE_REFUSALS = [
  'VALIDATION.CONTROL_CHARACTERS',
  'VALIDATION.TOO_SHORT',
  'VALIDATION.TOO_LONG',
  'VALIDATION.MALFORMED_REFERENCE',
  'RESERVATION.RESERVED_REFERENCE',
] as const;
const RELEASE_REFUSALS = [
  ...REFERENCE_REFUSALS,
  'RESERVATION.NOT_A_HOLD',
  'RESERVATION.INVALID_TRANSITION',
] as const;
const COMMIT_REFUSALS = [
  ...REFERENCE_REFUSALS,
  'RESERVATION.NOT_FOUND',
  'RESERVATION.NOT_COMMITTABLE',
  'RESERVATION.EXPIRED',
  'RESERVATION.INVALID_TRANSITION',
] as const;

/**
 * The order's stock is not committed yet: the commit is on its way (an event overtook it), so
 * the message is retried with backoff before it is dead-lettered.
 */
const NOT_COMMITTED_YET = ['RESERVATION.NOT_COMMITTED'] as const;

/**
 * The checkout saga's commands. Each handler runs in the consumer's transaction: the effect, the
 * reply (through the outbox, causationId = the command's id) and the inbox row commit together.
 * reserve-stock replies `inventory.stock-reserved` (raised by the reservation itself) or
 * `inventory.reservation-failed`; release and commit are compensations/fire-and-forget, so a
 * business refusal is logged rather than retried.
 */
export function checkoutCommandsConsumer(uc: InventoryUseCases): ConsumerDefinition {
  return {
    groupId: 'inventory.checkout-commands',
    topics: [Topics.inventoryCommands],
    handlers: {
      ...uc.on('inventory.reserve-stock@1', {
        run: (command, ctx) => reserveForCheckout(command, ctx),
        // Any refusal is answered, so the saga compensates at once instead of waiting out its
        // step: a rejected result (nothing reserved, its transaction rolled back) as well.
        reply: (answer, command) => {
          const failure = !answer.ok
            ? { code: answer.error.code, message: answer.error.message.slice(0, 1000), shortages: [] }
            : answer.value.outcome === 'RESERVED'
              ? null
              : answer.value;
          if (!failure) return null;
          const { code, message, shortages } = failure;
          return {
            contract: 'inventory.reservation-failed@1',
            aggregateType: 'Reservation',
            aggregateId: command.reference,
            payload: { reference: command.reference, code, message, shortages },
          };
        },
      }),
      ...uc.on('inventory.release-reservation@1', {
        run: ({ reference }, ctx) => releaseReservation(reference, ctx),
        expected: RELEASE_REFUSALS,
      }),
      ...uc.on('inventory.commit-reservation@1', {
        run: ({ reference }, ctx) => commitReservation(reference, ctx),
        expected: COMMIT_REFUSALS,
      }),
    },
  };
}

/**
 * Units go back to stock: refunded units that had not shipped (committed → available, once per
 * refund request), and the committed units of an order cancelled before it was paid
 * (committed → available, once per order). On hand does not change: they never left the shelf.
 */
export function refundConsumer(uc: InventoryUseCases): ConsumerDefinition {
  return {
    groupId: 'inventory.refunds',
    topics: [Topics.order],
    handlers: {
      ...uc.on('orders.order-refunded@1', {
        run: ({ refundRequestId, orderId, restock }, ctx) =>
          restockRefund({ refundRequestId, orderId, restock }, ctx),
        retry: NOT_COMMITTED_YET,
      }),
      ...uc.on('orders.order-cancelled@1', {
        run: ({ orderId, restock }, ctx) => restockCancelledOrder({ orderId, restock }, ctx),
      }),
    },
  };
}

/**
 * A dispatched parcel takes its sub-order's committed units off the shelf (on hand and committed
 * drop). A reservation whose commit has not arrived yet is refused, so the message is retried.
 */
export function shipmentConsumer(uc: InventoryUseCases): ConsumerDefinition {
  return {
    groupId: 'inventory.shipments',
    topics: [Topics.shipment],
    handlers: {
      ...uc.on('shipping.shipment-dispatched@1', {
        run: ({ orderId, sellerId }, ctx) => shipParcel({ orderId, sellerId }, ctx),
        retry: NOT_COMMITTED_YET,
      }),
    },
  };
}
