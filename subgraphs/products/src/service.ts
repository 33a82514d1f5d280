import type { Redis, ServiceDefinition } from '@marketplace/platform';
import { Topics, contractKey, listContracts, type EventEnvelope } from '@marketplace/event-contracts';
import { productEntities, productMigrations } from './adapters/persistence/product.schema.js';
import { ProductReader } from './adapters/persistence/product-store.js';
import { createProductResolver, productReferenceResolver } from './adapters/graphql/product.resolver.js';

/** One reader per Redis connection, shared by the GraphQL side and the invalidation consumer. */
const readers = new Map<Redis, ProductReader>();
const readerFor = (redis: Redis): ProductReader => {
  let reader = readers.get(redis);
  if (!reader) readers.set(redis, (reader = new ProductReader(redis)));
  return reader;
};

/** The products subgraph: catalog entries, their publishing workflow and events. */
export const productsService: ServiceDefinition = {
  name: 'products',
  defaultPort: 4001,
  entities: productEntities,
  migrations: productMigrations,
  publishes: [Topics.product],
  graphql: ({ redis, relay }) => {
    const reader = readerFor(redis);
    return {
      resolvers: [createProductResolver({ reader, onCommit: () => relay.nudge() })],
      referenceResolvers: { Product: productReferenceResolver(reader) },
    };
  },
  consumers: ({ redis }) => {
    const reader = readerFor(redis);
    // Every product event marks older cached views stale, whichever instance made the change.
    const invalidate = async (envelope: EventEnvelope) =>
      reader.invalidate(envelope.aggregateId, (envelope.payload as { version: number }).version);
    const handlers = Object.fromEntries(
      listContracts()
        .filter((c) => c.topic === Topics.product)
        .map((c) => [contractKey(c.type, c.version), invalidate]),
    );
    return [{ groupId: 'products.cache-invalidation', topics: [Topics.product], handlers }];
  },
};
