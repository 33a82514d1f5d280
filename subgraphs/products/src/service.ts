import { RedisCache, type ServiceDefinition } from '@marketplace/platform';
import { Topics, contractKey, listContracts } from '@marketplace/event-contracts';
import { productEntities, productMigrations } from './adapters/persistence/product.schema.js';
import { ProductReader } from './adapters/persistence/product-store.js';
import { createProductResolver, productReferenceResolver } from './adapters/graphql/product.resolver.js';

/** The products subgraph: catalog entries, their publishing workflow and events. */
export const productsService: ServiceDefinition = {
  name: 'products',
  defaultPort: 4001,
  entities: productEntities,
  migrations: productMigrations,
  publishes: [Topics.product],
  graphql: ({ redis, relay }) => {
    const reader = new ProductReader(new RedisCache(redis, 'products:view'));
    return {
      resolvers: [createProductResolver({ reader, onCommit: () => relay.nudge() })],
      referenceResolvers: { Product: productReferenceResolver(reader) },
    };
  },
  consumers: ({ redis }) => {
    const reader = new ProductReader(new RedisCache(redis, 'products:view'));
    const invalidate = async (envelope: { aggregateId: string }) => reader.invalidate(envelope.aggregateId);
    // Every product event drops the cached view, whichever instance made the change.
    const handlers = Object.fromEntries(
      listContracts()
        .filter((c) => c.topic === Topics.product)
        .map((c) => [contractKey(c.type, c.version), invalidate]),
    );
    return [{ groupId: 'products.cache-invalidation', topics: [Topics.product], handlers }];
  },
};
