import { intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { orderEntities, orderMigrations } from './adapters/persistence/order.schema.js';
import { ordersUseCases } from './adapters/persistence/order-store.js';
import { createOrderResolver, orderReference, subOrderReference } from './adapters/graphql/order.resolver.js';
import { SellerRef } from './adapters/graphql/order.types.js';
import { orderCommandsConsumer, orderEventsConsumer } from './adapters/messaging/order-consumers.js';

/**
 * The orders subgraph: orders split per seller, their state machine driven by the checkout
 * saga, payments and shipping, refund requests, and the buyer's and sellers' views.
 * Env: ORDERS_REFUND_WINDOW_DAYS (how long after payment a buyer may ask for a refund, default 30).
 */
export function createOrdersService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const kit = ordersUseCases({
    policy: { refundWindowDays: intFromEnv('ORDERS_REFUND_WINDOW_DAYS', 30, env) },
  });
  return {
    name: 'orders',
    entities: orderEntities,
    migrations: orderMigrations,
    // Order events (replies to the saga included), keyed by order id.
    publishes: [Topics.order],
    graphql: (deps) => ({
      resolvers: [createOrderResolver(kit.bind(deps))],
      orphanedTypes: [SellerRef],
      referenceResolvers: { Order: orderReference, SubOrder: subOrderReference },
    }),
    consumers: (deps) => {
      const uc = kit.bind(deps);
      return [orderCommandsConsumer(uc), orderEventsConsumer(uc)];
    },
  };
}

export const ordersService = createOrdersService();

export const createService: ServiceFactory = createOrdersService;
