import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@marketplace/shared-kernel';
import { newId, InvariantViolation } from '@marketplace/shared-kernel';
import { topicFor, validateEnvelope, type EventEnvelope } from '@marketplace/event-contracts';
import { OutboxMessage } from '../persistence/outbox-message.js';
import { traceparentOf } from '../observability/tracing.js';

export interface MessageMeta {
  /** The emitting service, e.g. `products`. */
  producer: string;
  correlationId: string;
  /** The id of the message or request that caused these events, if any. */
  causationId?: string | null;
  /** Used when no span is active; inside a request or consumed message the active span wins. */
  traceparent?: string;
}

/** Wraps a domain event in the integration envelope and checks it against its contract. */
export function toEnvelope(event: DomainEvent, meta: MessageMeta): EventEnvelope {
  // The span the event is raised in (the request's or the consumed message's) becomes the
  // parent of the relay's producer span: one trace from the first request to the last consumer.
  const traceparent = traceparentOf() ?? meta.traceparent;
  const envelope: EventEnvelope = {
    id: newId(),
    type: event.type,
    version: event.version,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    occurredAt: event.occurredAt.toISOString(),
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    producer: meta.producer,
    payload: event.payload as Record<string, unknown>,
    ...(traceparent ? { traceparent } : {}),
  };
  const checked = validateEnvelope(envelope);
  // An event that breaks its contract is a bug in the producer: failing here rolls back the
  // whole unit of work, so the state change and the bad event are never committed.
  if (!checked.ok) throw new InvariantViolation(checked.error.code, checked.error.message);
  return envelope;
}

/**
 * An outbox row `o` the relay is still to publish: unsent, not refused for good by the bus (dead),
 * not given up by an operator (discarded), and not held back behind a dead row of its message key
 * that is still waiting for an operator. Dead rows and the rows behind them wait for an operator
 * (`dead-outbox-rows.ts`), not for the relay; a discarded row holds nothing back.
 */
export const RELAYABLE = `o.sent_at is null and o.dead_at is null and o.discarded_at is null and not exists (
    select 1 from outbox dead
    where dead.message_key = o.message_key and dead.seq < o.seq
      and dead.sent_at is null and dead.dead_at is not null and dead.discarded_at is null)`;

/**
 * When the oldest message still waiting in this database's outbox was written, or null when none
 * waits: by the writing process's clock (`OutboxMessage.createdAt`), so compare it with the same
 * system clock, not the database's. The relay publishes within milliseconds while the broker
 * takes messages, so a wait of seconds means it does not: whoever waits on an answer to one of
 * those messages should not count that time against the other side. Rows the relay will not
 * publish without an operator (dead ones and those held back behind them) do not count: they say
 * nothing about the broker taking messages now.
 */
export async function oldestUnsentAt(em: SqlEntityManager): Promise<Date | null> {
  const rows = await em.execute<{ created_at: Date | string }[]>(
    `select o.created_at from outbox o where ${RELAYABLE} order by o.seq limit 1`,
  );
  return rows[0] ? new Date(rows[0].created_at) : null;
}

/**
 * Appends events to the outbox in the caller's unit of work: they are inserted by the same
 * flush, in the same transaction, as the aggregate change that raised them.
 */
export function appendToOutbox(
  em: EntityManager,
  events: readonly DomainEvent[],
  meta: MessageMeta,
): EventEnvelope[] {
  return events.map((event) => {
    const envelope = toEnvelope(event, meta);
    em.persist(
      new OutboxMessage(
        envelope.id,
        topicFor(envelope.type, envelope.version),
        envelope.aggregateId,
        envelope.type,
        envelope.version,
        envelope,
      ),
    );
    return envelope;
  });
}
