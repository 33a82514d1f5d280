import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Guard,
  domainError,
  err,
  isUuid,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';

/*
 * What an operator does with dead outbox rows (rows the bus refused for good, see relay.ts): read
 * them, retry one once its cause is fixed, or give one up. Each decision is one conditional
 * UPDATE on a row that is still dead and undecided, so two operators (or an operator and the
 * relay) never both act on a row; whatever does not match changes nothing and says why.
 */

/** A dead outbox row waiting for an operator, with what it holds back. */
export interface DeadOutboxRow {
  id: string;
  seq: number;
  topic: string;
  eventType: string;
  eventVersion: number;
  messageKey: string;
  createdAt: Date;
  deadAt: Date;
  attempts: number;
  /** The bus's refusal, e.g. `MESSAGE_TOO_LARGE: …`. */
  lastError: string | null;
  /** The envelope's size in bytes (a refusal for size is about this). */
  bytes: number;
  /** Later unsent rows of its message key, held back behind it. */
  heldBack: number;
}

export const DEAD_OUTBOX_ROW_ERRORS = {
  invalidId: (id: string) =>
    domainError('OUTBOX.INVALID_ID', `"${id}" is not an outbox row id (a UUID)`, 'id'),
  notFound: (id: string) => domainError('OUTBOX.ROW_NOT_FOUND', `no outbox row ${id} in this database`, 'id'),
  notDead: (id: string, state: string) =>
    domainError(
      'OUTBOX.ROW_NOT_DEAD',
      `outbox row ${id} is not dead (${state}): there is nothing to decide`,
      'id',
    ),
  alreadyDiscarded: (id: string, at: Date, reason: string | null) =>
    domainError(
      'OUTBOX.ROW_DISCARDED',
      `outbox row ${id} was discarded at ${at.toISOString()} (${reason ?? 'no reason'}): it is never sent`,
      'id',
    ),
} as const;

/** The longest discard reason, in characters. */
export const DISCARD_REASON_MAX = 500;

interface RawRow {
  id: string;
  seq: string | number;
  topic: string;
  event_type: string;
  event_version: number;
  message_key: string;
  created_at: Date | string;
  dead_at: Date | string;
  attempts: number;
  last_error: string | null;
  bytes: string | number;
  held_back: string | number;
}

const COLUMNS = `o.id, o.seq, o.topic, o.event_type, o.event_version, o.message_key, o.created_at, o.dead_at,
  o.attempts, o.last_error, octet_length(o.envelope::text) as bytes,
  (select count(*) from outbox b where b.message_key = o.message_key and b.seq > o.seq
     and b.sent_at is null and b.discarded_at is null) as held_back`;

/** Dead and undecided: what the relay leaves to an operator. */
const WAITING = 'o.dead_at is not null and o.sent_at is null and o.discarded_at is null';

const toRow = (r: RawRow): DeadOutboxRow => ({
  id: r.id,
  seq: Number(r.seq),
  topic: r.topic,
  eventType: r.event_type,
  eventVersion: r.event_version,
  messageKey: r.message_key,
  createdAt: new Date(r.created_at),
  deadAt: new Date(r.dead_at),
  attempts: r.attempts,
  lastError: r.last_error,
  bytes: Number(r.bytes),
  heldBack: Number(r.held_back),
});

/** The dead rows waiting for an operator, oldest first (at most `limit`). */
export async function listDeadOutboxRows(em: EntityManager, { limit = 100 } = {}): Promise<DeadOutboxRow[]> {
  const rows = await em.execute<RawRow[]>(
    `select ${COLUMNS} from outbox o where ${WAITING} order by o.seq limit ?`,
    [limit],
  );
  return rows.map(toRow);
}

/** What a decision did: the row as it was before it (its `heldBack` rows are the ones now released to the relay). */
export interface DeadOutboxDecision {
  row: DeadOutboxRow;
}

/**
 * Retries a dead row: clears `dead_at`, so the relay claims it again (and, once it is sent, the
 * rows held back behind it). `last_error` keeps the refusal; if the bus refuses it again it is
 * dead again. For after its cause is fixed (e.g. the topic's `max.message.bytes` raised).
 */
export function retryDeadOutboxRow(em: EntityManager, id: string): Promise<Result<DeadOutboxDecision>> {
  return decide(em, id, 'dead_at = null');
}

/**
 * Gives a dead row up for good: `discarded_at` and the operator's reason; it is never sent, and
 * the rows held back behind it flow again. The row stays for audit. The reason follows the free
 * text rule (1 to 500 characters, no control or invisible formatting characters).
 */
export async function discardDeadOutboxRow(
  em: EntityManager,
  id: string,
  reason: string,
): Promise<Result<DeadOutboxDecision>> {
  const checked = Guard.text('reason', reason, { max: DISCARD_REASON_MAX, multiline: true });
  if (!checked.ok) return checked;
  return decide(em, id, 'discarded_at = now(), discard_reason = ?', [checked.value]);
}

async function decide(
  em: EntityManager,
  id: string,
  set: string,
  params: unknown[] = [],
): Promise<Result<DeadOutboxDecision>> {
  if (!isUuid(id)) return err(DEAD_OUTBOX_ROW_ERRORS.invalidId(id));
  // The row as it was (counted before the update, in the same statement's snapshot).
  const [updated] = await em.execute<RawRow[]>(
    `with waiting as (select ${COLUMNS} from outbox o where o.id = ? and ${WAITING} for update of o)
     update outbox o set ${set} from waiting w where o.id = w.id
     returning w.*`,
    [id, ...params],
  );
  if (updated) return ok({ row: toRow(updated) });
  return err(await whyNot(em, id));
}

/** Why a decision matched no row. */
async function whyNot(em: EntityManager, id: string): Promise<DomainError> {
  const [row] = await em.execute<
    {
      sent_at: Date | string | null;
      dead_at: unknown;
      discarded_at: Date | string | null;
      discard_reason: string | null;
    }[]
  >('select sent_at, dead_at, discarded_at, discard_reason from outbox where id = ?', [id]);
  if (!row) return DEAD_OUTBOX_ROW_ERRORS.notFound(id);
  if (row.discarded_at)
    return DEAD_OUTBOX_ROW_ERRORS.alreadyDiscarded(id, new Date(row.discarded_at), row.discard_reason);
  if (row.sent_at)
    return DEAD_OUTBOX_ROW_ERRORS.notDead(id, `sent at ${new Date(row.sent_at).toISOString()}`);
  return DEAD_OUTBOX_ROW_ERRORS.notDead(id, 'waiting for the relay');
}
