import { parseArgs } from 'node:util';

export const DEAD_LETTER_STATUSES = ['NEW', 'REPLAYED', 'DISCARDED'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** Read models an admin can rebuild: the CLI's name and the GraphQL enum value. */
export const READ_MODELS = { 'search-index': 'SEARCH_INDEX', 'review-ratings': 'REVIEW_RATINGS' } as const;
export type ReadModel = (typeof READ_MODELS)[keyof typeof READ_MODELS];

export type AdminCommand =
  | {
      kind: 'dead-letters';
      filter: { status?: DeadLetterStatus; group?: string; code?: string; originalTopic?: string };
      first: number;
      after?: string;
    }
  | { kind: 'dead-letter'; id: string }
  | { kind: 'replay'; id: string }
  | { kind: 'discard'; id: string; reason: string }
  | { kind: 'rebuild'; readModel: ReadModel; wait: boolean }
  | { kind: 'rebuild-job'; id: string }
  | { kind: 'saga'; checkoutId: string }
  /** Dead outbox rows of one subgraph, or of every subgraph in the registry. */
  | { kind: 'outbox-dead'; subgraph?: string; first: number }
  | { kind: 'outbox-retry'; subgraph: string; id: string }
  | { kind: 'outbox-discard'; subgraph: string; id: string; reason: string }
  | { kind: 'help' };

export interface ParsedAdmin {
  command: AdminCommand;
  /** Print the GraphQL answer as JSON instead of a table. */
  json: boolean;
}

export class UsageError extends Error {
  readonly code = 'CLI.USAGE';
}

export const ADMIN_USAGE = `usage: marketplace admin <command> [options]

commands:
  dead-letters [--status NEW|REPLAYED|DISCARDED] [--group G] [--code C] [--topic T] [--first N] [--after CURSOR]
                               dead letters of every consumer group, newest first
  dead-letter <id>             one dead letter: why it failed, where, its headers and value
  replay <id>                  send it back to its original topic (once)
  discard <id> --reason TEXT   give up on it, saying why
  rebuild search-index|review-ratings [--wait]
                               rebuild a read model from its owner's data; --wait follows the job
  rebuild-job <id>             a rebuild job's status
  saga <checkoutId>            a checkout saga: status, current step, failure and every step with its time

  dead outbox rows (events the bus refused for good; read from the subgraphs' databases):
  outbox-dead [--subgraph S] [--first N]
                               dead rows of one subgraph (default: every subgraph), with the rows each holds back
  outbox-retry <id> --subgraph S
                               clear its dead mark: the relay publishes it again, then the rows behind it
  outbox-discard <id> --subgraph S --reason TEXT
                               never send it, saying why: the rows held back behind it flow again

options: --json prints the raw answer.
env: GATEWAY_URL (default http://127.0.0.1:4000/graphql); ADMIN_TOKEN, else a sign-in with
     ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD (default: the development admin of scripts/up.sh).
     outbox-*: POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432) and <NAME>_DB, as the services use them.`;

const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0]!;
};

/** Parses `admin ...` arguments (without the leading `admin`); throws UsageError on anything off. */
export function parseAdminArgs(args: readonly string[]): ParsedAdmin {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h')
    return { command: { kind: 'help' }, json: false };

  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  const json = v.json ?? false;
  const allowed = ALLOWED[name];
  if (!allowed) throw new UsageError(`unknown admin command: ${name}`);
  const extra = Object.keys(v).filter((k) => k !== 'json' && !allowed.includes(k));
  if (extra.length > 0) throw new UsageError(`${name} does not take --${extra.join(', --')}`);

  switch (name) {
    case 'dead-letters': {
      if (positionals.length > 0) throw new UsageError('dead-letters takes no arguments, only options');
      const status = v.status?.toUpperCase();
      if (status !== undefined && !(DEAD_LETTER_STATUSES as readonly string[]).includes(status))
        throw new UsageError(`--status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`);
      const first = v.first === undefined ? 20 : Number(v.first);
      if (!Number.isInteger(first) || first < 1 || first > 100)
        throw new UsageError('--first must be a whole number from 1 to 100');
      const filter = {
        ...(status ? { status: status as DeadLetterStatus } : {}),
        ...(v.group ? { group: v.group } : {}),
        ...(v.code ? { code: v.code } : {}),
        ...(v.topic ? { originalTopic: v.topic } : {}),
      };
      return {
        command: { kind: 'dead-letters', filter, first, ...(v.after ? { after: v.after } : {}) },
        json,
      };
    }
    case 'dead-letter':
    case 'replay':
      return { command: { kind: name, id: one(positionals, 'dead letter id') }, json };
    case 'discard': {
      const id = one(positionals, 'dead letter id');
      if (!v.reason?.trim()) throw new UsageError('discard needs --reason "why"');
      return { command: { kind: 'discard', id, reason: v.reason }, json };
    }
    case 'rebuild': {
      const target = one(positionals, `read model (${Object.keys(READ_MODELS).join(' or ')})`);
      const readModel = READ_MODELS[target as keyof typeof READ_MODELS];
      if (!readModel)
        throw new UsageError(`unknown read model ${target}: ${Object.keys(READ_MODELS).join(' or ')}`);
      return { command: { kind: 'rebuild', readModel, wait: v.wait ?? false }, json };
    }
    case 'rebuild-job':
      return { command: { kind: 'rebuild-job', id: one(positionals, 'job id') }, json };
    case 'saga':
      return { command: { kind: 'saga', checkoutId: one(positionals, 'checkout id') }, json };
    case 'outbox-dead': {
      if (positionals.length > 0) throw new UsageError('outbox-dead takes no arguments, only options');
      const first = v.first === undefined ? 50 : Number(v.first);
      if (!Number.isInteger(first) || first < 1 || first > 500)
        throw new UsageError('--first must be a whole number from 1 to 500');
      return {
        command: { kind: 'outbox-dead', first, ...(v.subgraph ? { subgraph: v.subgraph } : {}) },
        json,
      };
    }
    case 'outbox-retry':
    case 'outbox-discard': {
      const id = one(positionals, 'outbox row id');
      if (!v.subgraph) throw new UsageError(`${name} needs --subgraph NAME (the database the row is in)`);
      if (name === 'outbox-retry') return { command: { kind: name, subgraph: v.subgraph, id }, json };
      if (!v.reason?.trim()) throw new UsageError('outbox-discard needs --reason "why"');
      return { command: { kind: name, subgraph: v.subgraph, id, reason: v.reason }, json };
    }
    default:
      throw new UsageError(`unknown admin command: ${name}`);
  }
}

const OPTIONS = {
  json: { type: 'boolean' },
  status: { type: 'string' },
  group: { type: 'string' },
  code: { type: 'string' },
  topic: { type: 'string' },
  first: { type: 'string' },
  after: { type: 'string' },
  reason: { type: 'string' },
  wait: { type: 'boolean' },
  subgraph: { type: 'string' },
} as const;

/** Which options each command takes (`--json` goes with all). */
const ALLOWED: Record<string, readonly string[]> = {
  'dead-letters': ['status', 'group', 'code', 'topic', 'first', 'after'],
  'dead-letter': [],
  replay: [],
  discard: ['reason'],
  rebuild: ['wait'],
  'rebuild-job': [],
  saga: [],
  'outbox-dead': ['subgraph', 'first'],
  'outbox-retry': ['subgraph'],
  'outbox-discard': ['subgraph', 'reason'],
};
