import { afterAll, beforeAll } from '@jest/globals';
import { createOrm, migrate, type Orm } from '@marketplace/platform';
import { PgProductIndex } from '../src/adapters/postgres/pg-product-index.js';
import { searchMigrations } from '../src/adapters/persistence/search-state.migrations.js';
import { searchPortContract } from './search-port.contract.js';
import { pgProductIndexCases } from './pg-product-index.cases.js';

/*
 * The Postgres adapter as the embedded profile runs it: on PGlite (in memory, no server), with
 * the same migrations. It needs no extension, so this is the whole difference.
 */
let orm: Orm;

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: '',
    dbName: 'search',
    pgliteDir: 'memory://',
    entities: [],
    migrations: searchMigrations,
  });
  await migrate(orm);
});

afterAll(async () => {
  await orm?.close(true);
});

searchPortContract('postgres on PGlite', async () => ({
  index: new PgProductIndex(orm.em.fork(), 'products'),
  close: async () => undefined,
}));

pgProductIndexCases(() => orm);
