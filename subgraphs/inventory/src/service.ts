import { intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { inventoryEntities, inventoryMigrations } from './adapters/persistence/inventory.schema.js';
import { inventoryUseCases } from './adapters/persistence/inventory-store.js';
import {
  createInventoryResolvers,
  productStockReference,
  variantStockReference,
} from './adapters/graphql/inventory.resolver.js';
import { catalogConsumer } from './adapters/messaging/catalog-consumer.js';
import { expirySweeper } from './adapters/messaging/expiry-sweeper.js';
import { cartConsumer } from './adapters/messaging/cart-consumer.js';
import { DEFAULT_CART_HOLD_POLICY, cartHoldPolicy } from './application/cart-holds.js';
import {
  checkoutCommandsConsumer,
  refundConsumer,
  shipmentConsumer,
} from './adapters/messaging/checkout-commands.js';

/**
 * The inventory subgraph: stock per SKU, reservations with expiry, contributed to the
 * federated Variant (`stock`) and Product (`inStock`).
 * Env: INVENTORY_SWEEP_INTERVAL_MS (how often expired reservations are released, default 5000),
 * INVENTORY_CART_HOLD_TTL_SECONDS (how long a cart hold lasts after the cart's last change, default 1800),
 * INVENTORY_CART_HOLD_MAX_PER_LINE (most units one cart line holds, default 5).
 */
export function createInventoryService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const sweepIntervalMs = intFromEnv('INVENTORY_SWEEP_INTERVAL_MS', 5_000, env);
  const cartHolds = cartHoldPolicy({
    ttlSeconds: intFromEnv('INVENTORY_CART_HOLD_TTL_SECONDS', DEFAULT_CART_HOLD_POLICY.ttlSeconds, env),
    maxPerLine: intFromEnv('INVENTORY_CART_HOLD_MAX_PER_LINE', DEFAULT_CART_HOLD_POLICY.maxPerLine, env),
  });
  if (!cartHolds.ok) throw new Error(cartHolds.error.message);
  const kit = inventoryUseCases({ cartHolds: cartHolds.value });
  return {
    name: 'inventory',
    entities: inventoryEntities,
    migrations: inventoryMigrations,
    publishes: [Topics.stockItem],
    graphql: (deps) => ({
      resolvers: createInventoryResolvers(kit.bind(deps)),
      referenceResolvers: { Variant: variantStockReference, Product: productStockReference },
    }),
    consumers: (deps) => {
      const uc = kit.bind(deps);
      return [
        catalogConsumer(uc, deps.logger.child({ consumer: 'inventory.variants' })),
        cartConsumer(uc),
        checkoutCommandsConsumer(uc),
        refundConsumer(uc),
        shipmentConsumer(uc),
      ];
    },
    jobs: (deps) => [expirySweeper(kit.bind(deps), { logger: deps.logger, intervalMs: sweepIntervalMs })],
  };
}

export const inventoryService = createInventoryService();

export const createService: ServiceFactory = createInventoryService;
