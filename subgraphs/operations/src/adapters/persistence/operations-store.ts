import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, OutboxMessage, storedWhere, type UseCases } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import type { ParkedMessage } from '../../domain/dead-letter.js';
import { DeadLetter } from '../../domain/dead-letter.js';
import { RebuildJob } from '../../domain/rebuild-job.js';
import type {
  DeadLetterFilter,
  DeadLetterReader,
  DeadLetterRepository,
  OperationsContext,
  OperationsExtras,
  OperationsRepositories,
  RebuildJobReader,
  RebuildJobRepository,
  ReplayOutbox,
} from '../../application/ports.js';
import { DeadLetterSchema } from './operations.schema.js';

/** The admin's listings, each read on a fresh entity manager (no transaction, no locks). */
export class MikroDeadLetterReader implements DeadLetterReader {
  constructor(private readonly fork: () => EntityManager) {}

  byId(id: string): Promise<DeadLetter | null> {
    return this.fork().findOne(DeadLetter, { id });
  }

  page(filter: DeadLetterFilter, beforeId: string | null, limit: number): Promise<DeadLetter[]> {
    const where = storedWhere(DeadLetter, DeadLetterSchema, {
      ...(filter.status ? { _status: filter.status } : {}),
      ...(filter.group ? { group: filter.group } : {}),
      ...(filter.code ? { code: filter.code } : {}),
      ...(filter.originalTopic ? { originalTopic: filter.originalTopic } : {}),
      ...(beforeId ? { id: { $lt: beforeId } } : {}),
    });
    return this.fork().find(DeadLetter, where, { orderBy: { id: 'desc' }, limit });
  }
}

export class MikroRebuildJobReader implements RebuildJobReader {
  constructor(private readonly fork: () => EntityManager) {}

  byId(id: string): Promise<RebuildJob | null> {
    return this.fork().findOne(RebuildJob, { id });
  }

  latest(limit: number): Promise<RebuildJob[]> {
    return this.fork().find(RebuildJob, {}, { orderBy: { id: 'desc' }, limit });
  }
}

export class MikroDeadLetterRepository implements DeadLetterRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<DeadLetter | null> {
    return this.em.findOne(DeadLetter, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }
}

export class MikroRebuildJobRepository implements RebuildJobRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<RebuildJob | null> {
    return this.em.findOne(RebuildJob, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  add(job: RebuildJob): void {
    this.em.persist(job);
  }
}

/** The replayed record goes into the outbox as it was: its envelope keeps its id and producer. */
export class OutboxReplays implements ReplayOutbox {
  constructor(private readonly em: EntityManager) {}

  publish(...[topic, key, messageId, envelope]: Parameters<ReplayOutbox['publish']>): void {
    this.em.persist(new OutboxMessage(messageId, topic, key, envelope.type, envelope.version, envelope));
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

/**
 * How the operations use cases get their context, once: the platform builds it for a request or a
 * consumed reply, commits once per use case and wakes the relay after a commit that wrote to the
 * outbox (a rebuild command, a replayed record).
 */
export function operationsUseCases(settings: { clock?: Clock } = {}) {
  return defineUseCases<OperationsRepositories, OperationsExtras>({
    producer: 'operations',
    repositories: (em) => ({
      deadLetters: new MikroDeadLetterRepository(em),
      rebuildJobs: new MikroRebuildJobRepository(em),
      replays: new OutboxReplays(em),
    }),
    extras: ({ orm }) => {
      const fork = () => orm.em.fork() as EntityManager;
      return {
        clock: settings.clock ?? systemClock,
        deadLetters: new MikroDeadLetterReader(fork),
        rebuildJobs: new MikroRebuildJobReader(fork),
      };
    },
  });
}

/** The operations kit bound to a running service. */
export type OperationsUseCases = UseCases<OperationsContext>;
