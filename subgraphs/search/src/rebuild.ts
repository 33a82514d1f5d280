/**
 * Rebuilds the search index without downtime (see application/rebuild-index.ts):
 *
 *   node subgraphs/search/dist/rebuild.js
 *
 * Reads the catalog from the products subgraph (PRODUCTS_URL, default
 * http://127.0.0.1:4001/graphql) with the gateway secret and an admin token, fills a new index
 * from search's database (SEARCH_DB, default mp_search), swaps the alias (SEARCH_INDEX_ALIAS)
 * and deletes the old index. The search service keeps running meanwhile; its consumers write
 * live changes to the new index too. Page size: SEARCH_REBUILD_PAGE_SIZE (default 500).
 * SEARCH_ENGINE=postgres rebuilds the Postgres documents in search's database the same way
 * (against a Postgres server: PGlite serves one process).
 */
import { createLogger, createOrm, intFromEnv, loadConfig, migrate } from '@marketplace/platform';
import { systemClock } from '@marketplace/shared-kernel';
import { rebuildIndex, type RebuildProgress } from './application/rebuild-index.js';
import { ProductIndex } from './adapters/elasticsearch/product-index.js';
import { PgProductIndex } from './adapters/postgres/pg-product-index.js';
import { SqlSearchState } from './adapters/persistence/search-state.js';
import { searchMigrations } from './adapters/persistence/search-state.migrations.js';
import { ProductsHttpSource } from './adapters/products/products-http-source.js';
import { indexAlias, searchEngine } from './service.js';

const env = process.env;
const config = loadConfig(env);
const logger = createLogger('search-rebuild');
const alias = indexAlias(env);

const describe = (p: RebuildProgress): string =>
  p.phase === 'sync'
    ? `sync: ${p.done} products read from products (${p.docsPerSecond}/s)`
    : `index: ${p.done}/${p.total ?? '?'} docs (${p.docsPerSecond} docs/s)`;

const orm = await createOrm({
  postgresUrl: config.postgresUrl,
  dbName: env.SEARCH_DB ?? 'mp_search',
  entities: [],
  migrations: searchMigrations,
  poolMax: 4,
});
const elasticsearch =
  searchEngine(env) === 'elasticsearch' ? ProductIndex.connect(config.elasticsearchUrl, alias) : null;
const index = elasticsearch ?? new PgProductIndex(orm.em.fork(), alias);
let exitCode = 0;
try {
  await migrate(orm);
  await elasticsearch?.ensure();
  const result = await rebuildIndex({
    state: new SqlSearchState(orm.em.fork()),
    index,
    source: new ProductsHttpSource({
      url: env.PRODUCTS_URL ?? 'http://127.0.0.1:4001/graphql',
      gatewaySecret: config.gatewaySecret,
      jwtSecret: config.jwtSecret,
    }),
    clock: systemClock,
    pageSize: intFromEnv('SEARCH_REBUILD_PAGE_SIZE', 500, env),
    onProgress: (progress) => {
      process.stdout.write(`${describe(progress)}\n`);
    },
  });
  if (result.ok) {
    const r = result.value;
    process.stdout.write(
      `done: alias ${alias} -> ${r.index}; ${r.indexed} docs indexed, ${r.synced} products read ` +
        `(${r.corrected} corrected), replaced [${r.replaced.join(', ')}] in ${r.elapsedMs} ms\n`,
    );
  } else {
    logger.error({ code: result.error.code }, result.error.message);
    exitCode = 1;
  }
} catch (error) {
  logger.error({ err: error }, 'rebuild failed; the alias still points at the old index');
  exitCode = 1;
} finally {
  await elasticsearch?.close();
  await orm.close(true);
}
process.exit(exitCode);
