import type { EntityManager } from '@mikro-orm/postgresql';
import {
  intFromEnv,
  type ConsumerDefinition,
  type ServiceDefinition,
  type ServiceDeps,
  type ServiceFactory,
} from '@marketplace/platform';
import { ProductIndex } from './adapters/elasticsearch/product-index.js';
import { PgProductIndex } from './adapters/postgres/pg-product-index.js';
import { createSearchResolver } from './adapters/graphql/search.resolver.js';
import { searchConsumers } from './adapters/messaging/search-consumers.js';
import {
  REBUILD_COMMAND_TTL_MS,
  rebuildCommandConsumer,
  SearchRebuildRunner,
} from './adapters/messaging/rebuild-command.js';
import type { IndexAdmin } from './application/ports.js';
import { Topics } from '@marketplace/event-contracts';
import { searchMigrations } from './adapters/persistence/search-state.migrations.js';
import { searchUseCases } from './adapters/persistence/search-state.js';

export const DEFAULT_INDEX_ALIAS = 'products';

export const indexAlias = (env: NodeJS.ProcessEnv): string => env.SEARCH_INDEX_ALIAS ?? DEFAULT_INDEX_ALIAS;

export const SEARCH_ENGINES = ['elasticsearch', 'postgres'] as const;
export type SearchEngine = (typeof SEARCH_ENGINES)[number];

/** `SEARCH_ENGINE`: elasticsearch (the services profile, default) or postgres (the embedded profile). */
export function searchEngine(env: NodeJS.ProcessEnv): SearchEngine {
  const engine = env.SEARCH_ENGINE ?? 'elasticsearch';
  if (!(SEARCH_ENGINES as readonly string[]).includes(engine))
    throw new Error(`SEARCH_ENGINE must be one of ${SEARCH_ENGINES.join(', ')}, not "${engine}"`);
  return engine as SearchEngine;
}

const common = {
  name: 'search',
  entities: [],
  migrations: searchMigrations,
  // Only the answers to operations' rebuild commands: search is a projection.
  publishes: [Topics.readModelRebuilds],
} satisfies Partial<ServiceDefinition>;

/** How old an operations command may be and still run (OPERATIONS_COMMAND_TTL_MS, default 15 minutes). */
const commandTtl = (env: NodeJS.ProcessEnv) =>
  intFromEnv('OPERATIONS_COMMAND_TTL_MS', REBUILD_COMMAND_TTL_MS, env);

const kit = searchUseCases();

/**
 * The projection consumers and operations' rebuild command, run in this process on the given
 * index; `runner` is handed back so the service waits for a rebuild in progress when it stops.
 */
function consumersOn(
  deps: ServiceDeps,
  index: (em: EntityManager) => IndexAdmin,
  ttlMs: number,
): { consumers: ConsumerDefinition[]; runner: SearchRebuildRunner } {
  const uc = kit.bind(deps);
  const runner = new SearchRebuildRunner({
    orm: deps.orm,
    uc,
    index,
    logger: deps.logger.child({ component: 'search-rebuild' }),
  });
  return { consumers: [...searchConsumers(index), rebuildCommandConsumer(uc, runner, ttlMs)], runner };
}

/**
 * The search subgraph: a projection of product, stock and store events into a search engine,
 * with the per-product state it is built from kept in its own database (`mp_search`).
 */
export function createSearchService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  return searchEngine(env) === 'postgres' ? postgresSearch(env) : elasticsearchSearch(env);
}

/**
 * Past Elasticsearch's limit of open points in time every word search would say so: one warn a
 * minute, with how many searches paged on live scores since the last one.
 */
function viewRefusedLog(deps: ServiceDeps): (error: unknown) => void {
  let lastAt = 0;
  let since = 0;
  return (error) => {
    since++;
    if (Date.now() - lastAt < 60_000) return;
    deps.logger.warn(
      { err: error, searches: since },
      'search: no point in time opened; relevance searches page on live scores (raise search.max_open_pit_context?)',
    );
    lastAt = Date.now();
    since = 0;
  };
}

/** Documents in Elasticsearch: the index is created at start, its health is a readiness check. */
function elasticsearchSearch(env: NodeJS.ProcessEnv): ServiceDefinition {
  let index: ProductIndex | undefined;
  let runner: SearchRebuildRunner | undefined;
  const indexFor = (deps: ServiceDeps) =>
    (index ??= ProductIndex.connect(deps.config.elasticsearchUrl, indexAlias(env), viewRefusedLog(deps)));

  return {
    ...common,
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
    consumers: (deps) => {
      const wired = consumersOn(deps, () => indexFor(deps), commandTtl(env));
      runner = wired.runner;
      return wired.consumers;
    },
    readiness: (deps) => ({ elasticsearch: () => indexFor(deps).healthy() }),
    stop: async () => {
      await runner?.stop();
      await index?.close();
      index = undefined;
    },
  };
}

/**
 * Documents in search's own database (Postgres full-text search): the migrations create the
 * table, there is no server to wait for, and each write joins the consumer's transaction.
 */
function postgresSearch(env: NodeJS.ProcessEnv): ServiceDefinition {
  const alias = indexAlias(env);
  const indexOn = (em: EntityManager) => new PgProductIndex(em, alias);
  let runner: SearchRebuildRunner | undefined;
  return {
    ...common,
    graphql: () => ({ resolvers: [createSearchResolver(indexOn)], referenceResolvers: {} }),
    consumers: (deps) => {
      const wired = consumersOn(deps, indexOn, commandTtl(env));
      runner = wired.runner;
      return wired.consumers;
    },
    stop: async () => {
      await runner?.stop();
    },
  };
}

export const searchService = createSearchService();

export const createService: ServiceFactory = createSearchService;
