import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, OutboxMessage, type RequestContext } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import { DeadLetter, type ParkedMessage } from '../../domain/dead-letter.js';
import { RebuildJob } from '../../domain/rebuild-job.js';
import type { DeadLetterFilter, DeadLetterReader, OperationsContext } from '../../application/ports.js';

export class MikroDeadLetterReader implements DeadLetterReader {
  constructor(private readonly em: EntityManager) {}

  byId(id: string): Promise<DeadLetter | null> {
    return this.em.findOne(DeadLetter, { id });
  }

  page(filter: DeadLetterFilter, beforeId: string | null, limit: number): Promise<DeadLetter[]> {
    const where = {
      ...(filter.status ? { _status: filter.status } : {}),
      ...(filter.group ? { group: filter.group } : {}),
      ...(filter.code ? { code: filter.code } : {}),
      ...(filter.originalTopic ? { originalTopic: filter.originalTopic } : {}),
      ...(beforeId ? { id: { $lt: beforeId } } : {}),
    };
    return this.em.find(DeadLetter, where as never, { orderBy: { id: 'desc' }, limit });
  }
}

/**
 * Parks records in one statement; a record already parked (a redelivery of the dead-letter
 * topic after a restart) is skipped by its (topic, partition, offset). Returns how many were new.
 */
export async function parkAll(em: EntityManager, messages: readonly ParkedMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = await em.execute<{ id: string }[]>(
    `insert into dead_letter (id, dlt_topic, dlt_partition, dlt_offset, consumer_group, original_topic,
       original_partition, original_offset, message_key, message_value, headers, code, reason, attempts,
       failed_at, received_at, status)
     values ${messages.map(() => `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, 'NEW')`).join(', ')}
     on conflict (dlt_topic, dlt_partition, dlt_offset) do nothing
     returning id`,
    messages.flatMap((m) => [
      m.id,
      m.dltTopic,
      m.dltPartition,
      m.dltOffset,
      m.origin.group,
      m.origin.topic,
      m.origin.partition,
      m.origin.offset,
      m.key,
      m.value,
      JSON.stringify(m.headers),
      m.code,
      m.reason,
      m.attempts,
      m.failedAt,
      m.receivedAt,
    ]),
  );
  return rows.length;
}

/** Wires the use-case context to MikroORM and the outbox. */
export function operationsContext(
  ctx: Pick<RequestContext, 'actor' | 'correlationId' | 'traceparent' | 'em'>,
  options: { clock?: Clock; onCommit?: () => void } = {},
): OperationsContext {
  return {
    actor: ctx.actor,
    clock: options.clock ?? systemClock,
    deadLetters: new MikroDeadLetterReader(ctx.em),
    rebuildJobs: {
      byId: (id) => ctx.em.findOne(RebuildJob, { id }),
      latest: (limit) => ctx.em.find(RebuildJob, {}, { orderBy: { id: 'desc' }, limit }),
    },
    transaction: async (work) => {
      const result = await inTransaction(
        ctx.em,
        { producer: 'operations', correlationId: ctx.correlationId, traceparent: ctx.traceparent },
        (scope) =>
          work({
            byIdForUpdate: (id) =>
              scope.em.findOne(DeadLetter, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }),
            publish: (topic, key, messageId, envelope) => {
              scope.em.persist(
                new OutboxMessage(messageId, topic, key, envelope.type, envelope.version, envelope),
              );
            },
            addJob: (job) => {
              scope.em.persist(job);
              scope.track(job);
            },
          }),
      );
      if (result.ok) options.onCommit?.();
      return result;
    },
  };
}
