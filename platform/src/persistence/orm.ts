import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import { MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import { Migrator } from '@mikro-orm/migrations';
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000PlatformOutboxInbox } from './platform-migration.js';
import { Migration20261207000000PlatformOutboxDeadRows } from './platform-outbox-dead-migration.js';
import { Migration20261208000000PlatformOutboxDiscardedRows } from './platform-outbox-discard-migration.js';
import { OutboxMessageSchema } from './outbox-message.js';

export type { EntityManager };
export type Orm = MikroORM;

export interface OrmOptions {
  /** Base connection URL without the database, e.g. postgresql://postgres@127.0.0.1:5432 */
  postgresUrl: string;
  dbName: string;
  entities: EntitySchema[];
  /** The subgraph's own migrations, in order; the platform's migrations are prepended. */
  migrations: MigrationObject[];
  /** Counts statements, for tests that assert batching. */
  onQuery?: (sql: string) => void;
  poolMax?: number;
  /**
   * Run on an embedded Postgres (PGlite) in this directory (`memory://` for none) instead of
   * the server at `postgresUrl`: the embedded profile. Same SQL, same migrations.
   */
  pgliteDir?: string;
}

/**
 * One MikroORM per subgraph, on its own database. The schema comes from migrations,
 * never from auto-update. Every request or consumed message works on `orm.em.fork()`.
 */
export async function createOrm(options: OrmOptions): Promise<Orm> {
  const config: Partial<Options> = {
    // A PGlite directory is one database: its path is the database's name.
    ...(options.pgliteDir
      ? { dbName: options.pgliteDir }
      : { clientUrl: options.postgresUrl, dbName: options.dbName }),
    entities: [OutboxMessageSchema, ...options.entities],
    extensions: [Migrator],
    allowGlobalContext: false,
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: {
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
      migrationsList: [
        {
          name: 'Migration20261121000000PlatformOutboxInbox',
          class: Migration20261121000000PlatformOutboxInbox,
        },
        // A database migrated before it runs it as pending, after its subgraph's own migrations.
        {
          name: 'Migration20261207000000PlatformOutboxDeadRows',
          class: Migration20261207000000PlatformOutboxDeadRows,
        },
        {
          name: 'Migration20261208000000PlatformOutboxDiscardedRows',
          class: Migration20261208000000PlatformOutboxDiscardedRows,
        },
        ...options.migrations,
      ],
    },
    debug: options.onQuery ? ['query'] : false,
    colors: false,
    logger: options.onQuery ? (message: string) => options.onQuery!(message) : undefined,
  };
  if (options.pgliteDir) {
    // PGlite's entity manager is the Postgres one over another connection: the services' SQL
    // (raw statements included) runs unchanged, one statement at a time.
    const { pool: _pool, ...embedded } = config;
    return (await PgliteMikroORM.init(
      embedded as Parameters<typeof PgliteMikroORM.init>[0],
    )) as unknown as Orm;
  }
  return (await MikroORM.init(config)) as unknown as Orm;
}

/** Creates the database if it is missing and applies pending migrations. */
export async function migrate(orm: Orm): Promise<void> {
  await orm.schema.ensureDatabase({ create: true });
  await orm.migrator.up();
}
