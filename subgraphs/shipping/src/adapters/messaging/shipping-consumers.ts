import { InvariantViolation, type Result } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type ConsumerDefinition, type EventHandler } from '@marketplace/platform';
import {
  Topics,
  contractKey,
  isKnownContract,
  type EventEnvelope,
  type PayloadOf,
} from '@marketplace/event-contracts';
import { weightFromAttributes } from '../../domain/rates.js';
import type { ShippingContext } from '../../application/ports.js';
import { quoteShipping } from '../../application/quotes.js';
import { cancelShipments, createShipments } from '../../application/shipments.js';
import { recordSkuWeights, shippingContext } from '../persistence/shipping-store.js';

type QuoteShipping = PayloadOf<'shipping.quote-shipping@1'>;
type OrderPaid = PayloadOf<'orders.order-paid@1'>;
type OrderCancelled = PayloadOf<'orders.order-cancelled@1'>;
type OrderRefunded = PayloadOf<'orders.order-refunded@1'>;
type ProductEventV2 = PayloadOf<'products.product-created@2'>;

export interface ShippingConsumerOptions {
  defaultUnitWeightGrams: number;
  onCommit?: () => void;
}

/**
 * Runs a use case in the consumer's transaction, so its effect, its outbox rows (replies and
 * events, caused by this message, in its correlation) and the inbox record commit together.
 */
function handler<P>(
  options: ShippingConsumerOptions,
  apply: (payload: P, ctx: ShippingContext) => Promise<Result<unknown>>,
): EventHandler {
  return async (envelope: EventEnvelope, em: EntityManager) => {
    const ctx = shippingContext(
      {
        actor: null,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        em,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
      { defaultUnitWeightGrams: options.defaultUnitWeightGrams, afterCommit: () => options.onCommit?.() },
    );
    const done = await apply(envelope.payload as P, ctx);
    // The payload passed its contract, so a rejection is a bug: retry, then dead-letter.
    if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
  };
}

/** QuoteShipping from the checkout saga; the answer is the reply. */
export function quoteCommandConsumer(options: ShippingConsumerOptions): ConsumerDefinition {
  return {
    groupId: 'shipping.quotes',
    topics: [Topics.shippingCommands],
    handlers: {
      [contractKey('shipping.quote-shipping', 1)]: handler<QuoteShipping>(options, (p, ctx) =>
        quoteShipping(
          {
            checkoutId: p.checkoutId,
            currency: p.currency,
            country: p.destination.country,
            parcels: p.parcels,
          },
          ctx,
        ),
      ),
    },
  };
}

/**
 * Order lifecycle: paid orders get one shipment per sub-order; cancelled (or fully refunded)
 * orders, and sub-orders refunded in full, lose the shipments not yet dispatched. Handlers are registered only for contracts the
 * registry knows, so shipping starts even before every order schema is released.
 */
export function orderConsumer(options: ShippingConsumerOptions): ConsumerDefinition {
  const handlers: Record<string, EventHandler> = {
    [contractKey('orders.order-paid', 1)]: handler<OrderPaid>(options, (p, ctx) =>
      createShipments({ orderId: p.orderId, buyerId: p.buyerId, subOrders: p.subOrders }, ctx),
    ),
    [contractKey('orders.order-cancelled', 1)]: handler<OrderCancelled>(options, (p, ctx) =>
      cancelShipments(p.orderId, `Order cancelled: ${p.message}`, ctx),
    ),
    // A sub-order refunded in full (goods restocked) must not be dispatched any more.
    [contractKey('orders.order-refunded', 1)]: handler<OrderRefunded>(options, async (p, ctx) =>
      p.orderFullyRefunded
        ? cancelShipments(p.orderId, 'Order refunded', ctx)
        : p.subOrderRefunded
          ? cancelShipments(p.orderId, 'Sub-order refunded', ctx, p.subOrderId)
          : { ok: true as const, value: 0 },
    ),
  };
  return {
    groupId: 'shipping.orders',
    topics: [Topics.order],
    handlers: Object.fromEntries(
      Object.entries(handlers).filter(([key]) => {
        const [type, version] = key.split('@');
        return isKnownContract(type!, Number(version));
      }),
    ),
  };
}

/** Unit weights per SKU from the catalog's v2 snapshots (`weight_g` / `weightGrams` attributes). */
export function catalogWeightConsumer(): ConsumerDefinition {
  const handle = async (envelope: EventEnvelope, em: EntityManager) => {
    const { productId, version, snapshot } = envelope.payload as ProductEventV2;
    await recordSkuWeights(em, {
      productId,
      version,
      variants: snapshot.variants.map((v) => ({
        sku: v.sku,
        weightGrams: weightFromAttributes(v.attributes, snapshot.attributes),
      })),
    });
  };
  return {
    groupId: 'shipping.catalog-weights',
    topics: [Topics.product],
    handlers: handlersForTopic(Topics.product, handle, 2),
  };
}
