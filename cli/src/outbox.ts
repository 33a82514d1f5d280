// `marketplace admin outbox-*`: dead outbox rows (events the bus refused for good), read and decided
// in the subgraphs' own databases. The SQL and the rules are the platform's (dead-outbox-rows.ts);
// this file opens the databases, prints, and maps refusals to exit codes.
import {
  SUBGRAPH_NAMES,
  createOrm,
  discardDeadOutboxRow,
  listDeadOutboxRows,
  loadConfig,
  retryDeadOutboxRow,
  serviceDatabase,
  type DeadOutboxRow,
  type Orm,
} from '@marketplace/platform';
import type { AdminCommand } from './admin-args.js';
import { table, type Column } from './table.js';

/** What the commands print to and read settings from (`admin.ts`'s AdminIo fits it). */
export interface OutboxIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

type OutboxCommand = Extract<AdminCommand, { kind: 'outbox-dead' | 'outbox-retry' | 'outbox-discard' }>;

/** Opens a subgraph's database as its service does (POSTGRES_URL, <NAME>_DB), without migrating it. */
async function withDatabase<T>(
  subgraph: string,
  env: NodeJS.ProcessEnv,
  use: (orm: Orm) => Promise<T>,
): Promise<T> {
  const orm = await createOrm({
    postgresUrl: loadConfig(env).postgresUrl,
    dbName: serviceDatabase(subgraph, env),
    entities: [],
    migrations: [],
    poolMax: 1,
  });
  try {
    return await use(orm);
  } finally {
    await orm.close(true);
  }
}

/** A database error an operator can act on, in a line. */
function databaseProblem(subgraph: string, env: NodeJS.ProcessEnv, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const database = serviceDatabase(subgraph, env);
  if (code === '3D000')
    return `${subgraph}: database ${database} does not exist (the service never ran here)`;
  if (code === '42703' || code === '42P01')
    return `${subgraph}: the outbox in ${database} predates dead-row decisions: start ${subgraph} once with this version to migrate it`;
  return `${subgraph}: cannot read ${database}: ${error instanceof Error ? error.message : String(error)}`;
}

const ROW_COLUMNS: Column<DeadOutboxRow>[] = [
  ['id', 'ID', 36],
  ['eventType', 'EVENT', 34],
  ['messageKey', 'KEY', 36],
  ['deadAt', 'DEAD AT', 24],
  ['heldBack', 'HELD BACK', 9],
  ['bytes', 'BYTES', 9],
  ['lastError', 'ERROR', 60],
];

const describe = (row: DeadOutboxRow) =>
  `${row.eventType} v${row.eventVersion} on ${row.topic}, key ${row.messageKey}, dead since ${row.deadAt.toISOString()} (${row.lastError ?? 'no error recorded'})`;

/** Runs an outbox command; returns the exit code (0 done, 1 refused or a database unreadable, 2 usage). */
export async function runOutbox(command: OutboxCommand, json: boolean, io: OutboxIo): Promise<number> {
  const subgraphs = command.subgraph === undefined ? SUBGRAPH_NAMES : [command.subgraph];
  const unknown = subgraphs.filter((s) => !(SUBGRAPH_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    io.err(`unknown subgraph ${unknown.join(', ')}: one of ${SUBGRAPH_NAMES.join(', ')}`);
    return 2;
  }

  if (command.kind === 'outbox-dead') {
    let failed = false;
    const found: Record<string, DeadOutboxRow[] | { error: string }> = {};
    for (const subgraph of subgraphs) {
      try {
        found[subgraph] = await withDatabase(subgraph, io.env, (orm) =>
          listDeadOutboxRows(orm.em.fork(), { limit: command.first }),
        );
      } catch (error) {
        failed = true;
        found[subgraph] = { error: databaseProblem(subgraph, io.env, error) };
      }
    }
    if (json) {
      io.out(JSON.stringify(found, null, 2));
      return failed ? 1 : 0;
    }
    for (const [subgraph, rows] of Object.entries(found)) {
      if (!Array.isArray(rows)) {
        io.err(rows.error);
        continue;
      }
      if (rows.length === 0) {
        io.out(`${subgraph}: no dead outbox rows`);
        continue;
      }
      io.out(`${subgraph}: ${rows.length}${rows.length === command.first ? '+' : ''} dead outbox row(s)`);
      for (const line of table(rows, ROW_COLUMNS)) io.out(`  ${line}`.trimEnd());
    }
    return failed ? 1 : 0;
  }

  const subgraph = command.subgraph;
  let outcome;
  try {
    outcome = await withDatabase(subgraph, io.env, (orm) =>
      command.kind === 'outbox-retry'
        ? retryDeadOutboxRow(orm.em.fork(), command.id)
        : discardDeadOutboxRow(orm.em.fork(), command.id, command.reason),
    );
  } catch (error) {
    io.err(databaseProblem(subgraph, io.env, error));
    return 1;
  }
  if (!outcome.ok) {
    io.err(`refused: ${outcome.error.code} ${outcome.error.message}`);
    return 1;
  }
  const { row } = outcome.value;
  if (json) {
    io.out(
      JSON.stringify(
        { subgraph, decision: command.kind === 'outbox-retry' ? 'RETRIED' : 'DISCARDED', row },
        null,
        2,
      ),
    );
    return 0;
  }
  const behind =
    row.heldBack === 0
      ? `rows of key ${row.messageKey} that come later`
      : `${row.heldBack} row(s) of key ${row.messageKey} held back behind it`;
  if (command.kind === 'outbox-retry')
    io.out(`retried outbox row ${row.id} of ${subgraph}: ${describe(row)}`);
  else io.out(`discarded outbox row ${row.id} of ${subgraph}: ${describe(row)}`);
  io.out(
    command.kind === 'outbox-retry'
      ? `  its dead mark is cleared: the relay publishes it again, then the ${behind}. If the bus refuses it again it is dead again.`
      : `  it is never sent (reason recorded, the row kept for audit); the ${behind} flow again.`,
  );
  return 0;
}
