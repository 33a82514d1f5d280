import type { ServiceDefinition, ServiceDeps } from '@marketplace/platform';
import { Topics, contractKey, listContracts, type EventEnvelope } from '@marketplace/event-contracts';
import { toDocument, type ProductEventPayload } from './domain/product-document.js';
import { ProductIndex } from './adapters/elasticsearch/product-index.js';
import { createSearchResolver } from './adapters/graphql/search.resolver.js';

/**
 * The search subgraph: a projection of product events into Elasticsearch. Its own database
 * holds only the inbox (and outbox) tables.
 */
export function createSearchService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  let index: ProductIndex | undefined;
  const indexFor = (deps: ServiceDeps) =>
    (index ??= ProductIndex.connect(deps.config.elasticsearchUrl, env.SEARCH_INDEX_ALIAS ?? 'products'));

  return {
    name: 'search',
    defaultPort: 4003,
    entities: [],
    migrations: [],
    publishes: [],
    init: (deps) => indexFor(deps).ensure(),
    graphql: (deps) => ({
      resolvers: [createSearchResolver(() => indexFor(deps))],
      referenceResolvers: {},
    }),
    consumers: (deps) => {
      const project = async (envelope: EventEnvelope) => {
        await indexFor(deps).upsert(toDocument(envelope.payload as ProductEventPayload, envelope.occurredAt));
      };
      const handlers = Object.fromEntries(
        listContracts()
          .filter((c) => c.topic === Topics.product)
          .map((c) => [contractKey(c.type, c.version), project]),
      );
      return [{ groupId: 'search.indexer', topics: [Topics.product], handlers }];
    },
    readiness: (deps) => ({ elasticsearch: () => indexFor(deps).healthy() }),
    stop: async () => index?.close(),
  };
}

export const searchService = createSearchService();
