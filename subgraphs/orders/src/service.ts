import { intFromEnv, type ServiceDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { orderEntities, orderMigrations } from './adapters/persistence/order.schema.js';
import { createOrderResolver, orderReference, subOrderReference } from './adapters/graphql/order.resolver.js';
import { SellerRef } from './adapters/graphql/order.types.js';
import { orderCommandsConsumer, orderEventsConsumer } from './adapters/messaging/order-consumers.js';

/**
 * The orders subgraph: orders split per seller, their state machine driven by the checkout
 * saga, payments and shipping, refund requests, and the buyer's and sellers' views.
 * Env: ORDERS_REFUND_WINDOW_DAYS (how long after payment a buyer may ask for a refund, default 30).
 */
export function createOrdersService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const policy = { refundWindowDays: intFromEnv('ORDERS_REFUND_WINDOW_DAYS', 30, env) };
  return {
    name: 'orders',
    defaultPort: 4008,
    entities: orderEntities,
    migrations: orderMigrations,
    // Order events (replies to the saga included), keyed by order id.
    publishes: [Topics.order],
    graphql: ({ relay }) => ({
      resolvers: [createOrderResolver({ policy, onCommit: () => relay.nudge() })],
      orphanedTypes: [SellerRef],
      referenceResolvers: { Order: orderReference, SubOrder: subOrderReference },
    }),
    consumers: ({ relay, logger }) => [
      orderCommandsConsumer({ policy, onCommit: () => relay.nudge() }),
      orderEventsConsumer({
        policy,
        onCommit: () => relay.nudge(),
        logger: logger.child({ consumer: 'orders.events' }),
      }),
    ],
  };
}

export const ordersService = createOrdersService();
