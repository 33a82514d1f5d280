import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type ConsumerDefinition, type UseCases } from '@marketplace/platform';
import { Topics, isKnownContract, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { ok } from '@marketplace/shared-kernel';
import { weightFromAttributes } from '../../domain/rates.js';
import type { ShippingContext } from '../../application/ports.js';
import { quoteShipping } from '../../application/quotes.js';
import { cancelShipments, createShipments } from '../../application/shipments.js';
import { recordSkuWeights } from '../persistence/shipping-store.js';

type ProductEventV2 = PayloadOf<'products.product-created@2'>;

/**
 * QuoteShipping from the checkout saga; the answer is the reply. A rejection of a payload that
 * passed its contract is a bug: dead-lettered by the kit's rule.
 */
export function quoteCommandConsumer(uc: UseCases<ShippingContext>): ConsumerDefinition {
  return {
    groupId: 'shipping.quotes',
    topics: [Topics.shippingCommands],
    handlers: {
      ...uc.on('shipping.quote-shipping@1', {
        run: (p, ctx) =>
          quoteShipping(
            {
              checkoutId: p.checkoutId,
              currency: p.currency,
              country: p.destination.country,
              parcels: p.parcels,
            },
            ctx,
          ),
      }),
    },
  };
}

/**
 * Order lifecycle: paid orders get one shipment per sub-order; cancelled (or fully refunded)
 * orders, and sub-orders refunded in full, lose the shipments not yet dispatched. Handlers are
 * registered only for contracts the registry knows, so shipping starts even before every order
 * schema is released.
 */
export function orderConsumer(uc: UseCases<ShippingContext>): ConsumerDefinition {
  const handlers = {
    ...uc.on('orders.order-paid@1', {
      run: (p, ctx) =>
        createShipments({ orderId: p.orderId, buyerId: p.buyerId, subOrders: p.subOrders }, ctx),
    }),
    ...uc.on('orders.order-cancelled@1', {
      run: (p, ctx) => cancelShipments(p.orderId, `Order cancelled: ${p.message}`, ctx),
    }),
    // A sub-order refunded in full (goods restocked) must not be dispatched any more.
    ...uc.on('orders.order-refunded@1', {
      run: async (p, ctx) =>
        p.orderFullyRefunded
          ? cancelShipments(p.orderId, 'Order refunded', ctx)
          : p.subOrderRefunded
            ? cancelShipments(p.orderId, 'Sub-order refunded', ctx, p.subOrderId)
            : ok(0),
    }),
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
