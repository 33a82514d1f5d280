import type { ServiceDefinition, ServiceDeps } from '@marketplace/platform';
import { ProductIndex } from './adapters/elasticsearch/product-index.js';
import { createSearchResolver } from './adapters/graphql/search.resolver.js';
import { searchConsumers } from './adapters/messaging/search-consumers.js';
import { searchMigrations } from './adapters/persistence/search-state.migrations.js';

export const DEFAULT_INDEX_ALIAS = 'products';

export const indexAlias = (env: NodeJS.ProcessEnv): string => env.SEARCH_INDEX_ALIAS ?? DEFAULT_INDEX_ALIAS;

/**
 * The search subgraph: a projection of product, stock and store events into Elasticsearch,
 * with the per-product state it is built from kept in its own database (`mp_search`).
 */
export function createSearchService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  let index: ProductIndex | undefined;
  const indexFor = (deps: ServiceDeps) =>
    (index ??= ProductIndex.connect(deps.config.elasticsearchUrl, indexAlias(env)));

  return {
    name: 'search',
    defaultPort: 4003,
    entities: [],
    migrations: searchMigrations,
    publishes: [],
    init: async (deps) => {
      const ensured = await indexFor(deps).ensure();
      if (ensured.replaced.length > 0)
        deps.logger.warn(
          { replaced: ensured.replaced, alias: indexAlias(env) },
          'search index mapping changed: the alias now points at an empty index; run `node subgraphs/search/dist/rebuild.js`',
        );
    },
    graphql: (deps) => ({
      resolvers: [createSearchResolver(() => indexFor(deps))],
      referenceResolvers: {},
    }),
    consumers: (deps) => searchConsumers(() => indexFor(deps)),
    readiness: (deps) => ({ elasticsearch: () => indexFor(deps).healthy() }),
    stop: async () => {
      await index?.close();
      index = undefined;
    },
  };
}

export const searchService = createSearchService();
