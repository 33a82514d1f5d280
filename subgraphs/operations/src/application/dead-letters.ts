import { err, isUuid, newId, ok, type Result } from '@marketplace/shared-kernel';
import { forbidden, unauthenticated, type Actor } from '@marketplace/platform';
import { validateEnvelope } from '@marketplace/event-contracts';
import { DeadLetterErrors, type DeadLetter } from '../domain/dead-letter.js';
import type { DeadLetterFilter, OperationsContext } from './ports.js';

/** Every operation is for admins only: buyers and sellers learn nothing, not even that a letter exists. */
export function requireAdmin(actor: Actor | null): Result<Actor> {
  if (!actor) return err(unauthenticated());
  if (actor.role !== 'admin') return err(forbidden('Only admins operate the platform'));
  return ok(actor);
}

export interface DeadLetterPage {
  nodes: DeadLetter[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export const PAGE_MAX = 100;

export async function listDeadLetters(
  input: { filter: DeadLetterFilter; first: number; after: string | null },
  ctx: OperationsContext,
): Promise<Result<DeadLetterPage>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  if (input.after !== null && !isUuid(input.after))
    return err({
      code: 'VALIDATION.INVALID_CURSOR',
      message: 'after is not a cursor from this list',
      field: 'after',
    });
  const size = Math.min(Math.max(input.first, 1), PAGE_MAX);
  const rows = await ctx.deadLetters.page(input.filter, input.after?.toLowerCase() ?? null, size + 1);
  const nodes = rows.slice(0, size);
  return ok({ nodes, endCursor: nodes.at(-1)?.id ?? null, hasNextPage: rows.length > size });
}

/** A missing letter is `null`, not an error (a refusal still is one). */
export async function getDeadLetter(id: string, ctx: OperationsContext): Promise<Result<DeadLetter | null>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  return ok(isUuid(id) ? await ctx.deadLetters.byId(id.toLowerCase()) : null);
}

/**
 * Sends the parked message back to the topic it failed on, with its key and its envelope as they
 * were (the same message id), through the outbox in the transaction that marks it REPLAYED: it
 * is published at least once or the letter stays NEW. Every group on that topic receives it
 * again, and the inbox makes it a no-op for those that had handled it; only the group that
 * failed it (no inbox row, since its transaction rolled back) runs its handler. A message that
 * is still not an envelope of a known contract would only fail again, so it is refused.
 */
export async function replayDeadLetter(id: string, ctx: OperationsContext): Promise<Result<DeadLetter>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  if (!isUuid(id)) return err(DeadLetterErrors.notFound());
  return ctx.transaction(async (tx) => {
    const letter = await tx.deadLetters.byIdForUpdate(id.toLowerCase());
    if (!letter) return err(DeadLetterErrors.notFound());
    // The outbox row's own id: the envelope keeps its id, so consumers dedupe it as the same message.
    const messageId = newId();
    const replay = letter.replay(admin.value.userId, ctx.clock.now(), messageId);
    if (!replay.ok) return replay;
    let parsed: unknown;
    try {
      parsed = JSON.parse(replay.value.value);
    } catch {
      return err(DeadLetterErrors.notReplayable('its value is not JSON'));
    }
    const envelope = validateEnvelope(parsed);
    if (!envelope.ok) return err(DeadLetterErrors.notReplayable(envelope.error.message));
    tx.replays.publish(
      replay.value.topic,
      replay.value.key ?? envelope.value.aggregateId,
      messageId,
      envelope.value,
    );
    return ok(letter);
  });
}

export async function discardDeadLetter(
  id: string,
  reason: string,
  ctx: OperationsContext,
): Promise<Result<DeadLetter>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  if (!isUuid(id)) return err(DeadLetterErrors.notFound());
  return ctx.transaction(async (tx) => {
    const letter = await tx.deadLetters.byIdForUpdate(id.toLowerCase());
    if (!letter) return err(DeadLetterErrors.notFound());
    const discarded = letter.discard(admin.value.userId, reason, ctx.clock.now());
    return discarded.ok ? ok(letter) : discarded;
  });
}
