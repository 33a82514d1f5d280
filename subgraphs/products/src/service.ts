import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type KeyValueStore, type ServiceDefinition } from '@marketplace/platform';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { productEntities, productMigrations } from './adapters/persistence/product.schema.js';
import { ProductReader, recordSellerStanding } from './adapters/persistence/product-store.js';
import {
  categoryReferenceResolver,
  createProductResolver,
  productReferenceResolver,
  variantReferenceResolver,
} from './adapters/graphql/product.resolver.js';

/** One reader per store, shared by the GraphQL side and the invalidation consumer. */
const readers = new Map<KeyValueStore, ProductReader>();
const readerFor = (store: KeyValueStore): ProductReader => {
  let reader = readers.get(store);
  if (!reader) readers.set(store, (reader = new ProductReader(store)));
  return reader;
};

/** The products subgraph: catalog, variants and categories, their publishing workflow and events. */
export const productsService: ServiceDefinition = {
  name: 'products',
  defaultPort: 4001,
  entities: productEntities,
  migrations: productMigrations,
  publishes: [Topics.product],
  graphql: ({ store, relay, logger }) => {
    const reader = readerFor(store);
    return {
      resolvers: [...createProductResolver({ reader, logger, onCommit: () => relay.nudge() })],
      referenceResolvers: {
        Product: productReferenceResolver(reader),
        Variant: variantReferenceResolver(reader),
        Category: categoryReferenceResolver,
      },
    };
  },
  consumers: ({ store }) => {
    const reader = readerFor(store);
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
