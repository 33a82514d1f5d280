import { afterAll, beforeAll } from '@jest/globals';
import { createOrm, loadConfig, migrate, type Orm } from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { PgProductIndex } from '../src/adapters/postgres/pg-product-index.js';
import { searchMigrations } from '../src/adapters/persistence/search-state.migrations.js';
import { searchPortContract } from './search-port.contract.js';
import { pgProductIndexCases } from './pg-product-index.cases.js';

const dbName = `mp_test_search_port_${uniqueSuffix()}`;
let orm: Orm;

/** Drops the run's database from the maintenance database, so repeated runs leave nothing behind. */
async function dropDatabase(name: string): Promise<void> {
  const admin = await createOrm({
    postgresUrl: loadConfig().postgresUrl,
    dbName: 'postgres',
    entities: [],
    migrations: [],
    poolMax: 1,
  });
  try {
    await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.close(true);
  }
}

// A fresh database of this run, migrated like the service's, dropped afterwards.
beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: loadConfig().postgresUrl,
    dbName,
    entities: [],
    migrations: searchMigrations,
  });
  await migrate(orm);
});

afterAll(async () => {
  await orm?.close(true);
  await dropDatabase(dbName);
});

searchPortContract('postgres', async () => ({
  index: new PgProductIndex(orm.em.fork(), 'products'),
  close: async () => undefined,
}));

pgProductIndexCases(() => orm);
