import type { Actor } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { EventEnvelope } from '@marketplace/event-contracts';
import type { DeadLetter, DeadLetterStatus } from '../domain/dead-letter.js';
import type { RebuildJob } from '../domain/rebuild-job.js';

export interface DeadLetterFilter {
  status?: DeadLetterStatus | null;
  group?: string | null;
  code?: string | null;
  originalTopic?: string | null;
}

export interface DeadLetterReader {
  byId(id: string): Promise<DeadLetter | null>;
  /** Newest first, keyset-paginated on the time-ordered id: at most `limit`, older than `beforeId`. */
  page(filter: DeadLetterFilter, beforeId: string | null, limit: number): Promise<DeadLetter[]>;
}

export interface OperationsTransaction {
  /** Locks the row: two admins replaying at once cannot both send it. */
  byIdForUpdate(id: string): Promise<DeadLetter | null>;
  /** Publishes through the outbox, committed with the dead letter's new status. */
  publish(topic: string, key: string, messageId: string, envelope: EventEnvelope): void;
  /** A new job; the events it recorded go to the outbox on commit. */
  addJob(job: RebuildJob): void;
}

export interface OperationsContext {
  actor: Actor | null;
  clock: Clock;
  deadLetters: DeadLetterReader;
  rebuildJobs: { byId(id: string): Promise<RebuildJob | null>; latest(limit: number): Promise<RebuildJob[]> };
  /** One unit of work; a rejected result rolls it back. */
  transaction<T>(work: (tx: OperationsTransaction) => Promise<Result<T>>): Promise<Result<T>>;
}
