import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type Redis, type ServiceDefinition } from '@marketplace/platform';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { productEntities, productMigrations } from './adapters/persistence/product.schema.js';
import { ProductReader, recordSellerStanding } from './adapters/persistence/product-store.js';
import {
  categoryReferenceResolver,
  createProductResolver,
  productReferenceResolver,
  variantReferenceResolver,
} from './adapters/graphql/product.resolver.js';

/** One reader per Redis connection, shared by the GraphQL side and the invalidation consumer. */
const readers = new Map<Redis, ProductReader>();
const readerFor = (redis: Redis): ProductReader => {
  let reader = readers.get(redis);
  if (!reader) readers.set(redis, (reader = new ProductReader(redis)));
  return reader;
};

/** The products subgraph: catalog, variants and categories, their publishing workflow and events. */
export const productsService: ServiceDefinition = {
  name: 'products',
  defaultPort: 4001,
  entities: productEntities,
  migrations: productMigrations,
  publishes: [Topics.product],
  graphql: ({ redis, relay, logger }) => {
    const reader = readerFor(redis);
    return {
      resolvers: [...createProductResolver({ reader, logger, onCommit: () => relay.nudge() })],
      referenceResolvers: {
        Product: productReferenceResolver(reader),
        Variant: variantReferenceResolver(reader),
        Category: categoryReferenceResolver,
      },
    };
  },
  consumers: ({ redis }) => {
    const reader = readerFor(redis);
    // Every product event marks older cached views stale, whichever instance made the change.
    const invalidate = async (envelope: EventEnvelope) =>
      reader.invalidate(envelope.aggregateId, (envelope.payload as { version: number }).version);
    const productHandlers = handlersForTopic(Topics.product, invalidate);
    // Store standing decides storefront visibility and whether a seller may publish.
    const standing = async (envelope: EventEnvelope, em: EntityManager) =>
      recordSellerStanding(em, envelope.payload as { sellerId: string; status: string; version: number });
    const storeHandlers = handlersForTopic(Topics.store, standing);
    return [
      { groupId: 'products.cache-invalidation', topics: [Topics.product], handlers: productHandlers },
      { groupId: 'products.store-standing', topics: [Topics.store], handlers: storeHandlers },
    ];
  },
};
