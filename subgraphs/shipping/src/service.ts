import { intFromEnv, type ServiceDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { shippingEntities, shippingMigrations } from './adapters/persistence/shipping.schema.js';
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
  return {
    name: 'shipping',
    defaultPort: 4010,
    entities: shippingEntities,
    migrations: shippingMigrations,
    publishes: [Topics.shippingQuote, Topics.shipment],
    graphql: ({ relay }) => ({
      resolvers: createShippingResolvers({ defaultUnitWeightGrams, onCommit: () => relay.nudge() }),
      orphanedTypes: [SubOrderRef, OrderRef],
      referenceResolvers: { Shipment: shipmentReference, SubOrder: subOrderReference, Order: orderReference },
    }),
    consumers: ({ relay }) => {
      const options = { defaultUnitWeightGrams, onCommit: () => relay.nudge() };
      return [quoteCommandConsumer(options), orderConsumer(options), catalogWeightConsumer()];
    },
  };
}

export const shippingService = createShippingService();
