import { InvariantViolation } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Loaders, type ServiceDefinition } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { StockItemSchema, inventoryMigrations } from './adapters/persistence/stock-item.schema.js';
import { inventoryContext } from './adapters/persistence/stock-store.js';
import { StockResolver, productStockReference } from './adapters/graphql/stock.resolver.js';
import { openStock } from './application/open-stock.js';

type ProductCreated = PayloadOf<'products.product-created@1'>;

/** The inventory subgraph: stock per product, contributed to the Product entity. */
export const inventoryService: ServiceDefinition = {
  name: 'inventory',
  defaultPort: 4002,
  entities: [StockItemSchema],
  migrations: inventoryMigrations,
  publishes: [Topics.stockItem],
  graphql: () => ({
    resolvers: [StockResolver],
    referenceResolvers: { Product: productStockReference },
  }),
  consumers: () => [
    {
      groupId: 'inventory.catalog',
      topics: [Topics.product],
      handlers: {
        [contractKey('products.product-created', 1)]: async (envelope: EventEnvelope, em: EntityManager) => {
          const { productId, sellerId } = envelope.payload as ProductCreated;
          const ctx = {
            actor: null,
            correlationId: envelope.correlationId,
            causationId: envelope.id,
            em,
            loaders: new Loaders(),
          };
          const opened = await openStock({ productId, sellerId }, inventoryContext(ctx));
          // A rejection here is a contract bug, not bad luck: fail so it is retried, then dead-lettered.
          if (!opened.ok) throw new InvariantViolation(opened.error.code, opened.error.message);
        },
      },
    },
  ],
};
