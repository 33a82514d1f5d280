import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrmOptions } from '../persistence/orm.js';
import { uniqueSuffix } from './envelopes.js';
import { dropDatabases } from './stack.js';

/** Where a test's database lives: a Postgres database or a PGlite directory (embedded). */
export type DatabasePlace = Pick<OrmOptions, 'dbName' | 'pgliteDir'>;

/**
 * The two places a subgraph's database runs in (services: Postgres; embedded: PGlite), for
 * `describe.each` over a migration spec: each call of a place's factory makes a fresh database
 * (`mp_test_<name>_…`, resp. a temporary directory holding `embeddedDbName`); `cleanup` (in
 * `afterAll`) drops them all.
 */
export function databasePlaces(
  name: string,
  embeddedDbName: string,
): {
  places: [string, () => Promise<DatabasePlace>][];
  cleanup: () => Promise<void>;
} {
  const cleanups: (() => Promise<void>)[] = [];
  return {
    places: [
      [
        'services (Postgres)',
        async () => {
          const dbName = `mp_test_${name}_${uniqueSuffix()}`;
          cleanups.push(() => dropDatabases([dbName]));
          return { dbName };
        },
      ],
      [
        'embedded (PGlite)',
        async () => {
          const dir = await mkdtemp(join(tmpdir(), `${name.replaceAll('_', '-')}-`));
          cleanups.push(() => rm(dir, { recursive: true, force: true }));
          return { dbName: embeddedDbName, pgliteDir: dir };
        },
      ],
    ],
    cleanup: async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    },
  };
}
