import { intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { shippingEntities, shippingMigrations } from './adapters/persistence/shipping.schema.js';
import { shippingUseCases } from './adapters/persistence/shipping-store.js';
import {
  createShippingResolvers,
  orderReference,
  shipmentReference,
  subOrderReference,
} from './adapters/graphql/shipping.resolver.js';
import { OrderRef, SubOrderRef } from './adapters/graphql/shipping.types.js';
import {
  catalogWeightConsumer,
  orderConsumer,
  quoteCommandConsumer,
} from './adapters/messaging/shipping-consumers.js';

/**
 * The shipping subgraph: the rate table and quotes for checkout, and one shipment per paid
 * sub-order (contributed to the orders subgraph's `SubOrder.shipment` and `Order.shipments`).
 * Env: SHIPPING_DEFAULT_UNIT_WEIGHT_G (grams per unit when the catalog gives no weight, default 500).
 */
export function createShippingService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const defaultUnitWeightGrams = intFromEnv('SHIPPING_DEFAULT_UNIT_WEIGHT_G', 500, env);
  if (defaultUnitWeightGrams <= 0) throw new Error('SHIPPING_DEFAULT_UNIT_WEIGHT_G must be positive');
  const kit = shippingUseCases({ defaultUnitWeightGrams });
  return {
    name: 'shipping',
    entities: shippingEntities,
    migrations: shippingMigrations,
    publishes: [Topics.shippingQuote, Topics.shipment],
    graphql: (deps) => ({
      resolvers: createShippingResolvers(kit.bind(deps)),
      orphanedTypes: [SubOrderRef, OrderRef],
      referenceResolvers: { Shipment: shipmentReference, SubOrder: subOrderReference, Order: orderReference },
    }),
    consumers: (deps) => {
      const uc = kit.bind(deps);
      return [quoteCommandConsumer(uc), orderConsumer(uc), catalogWeightConsumer()];
    },
  };
}

export const shippingService = createShippingService();

export const createService: ServiceFactory = createShippingService;
