import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { EventEnvelope } from '@marketplace/event-contracts';
import type { DeadLetter, DeadLetterStatus } from '../domain/dead-letter.js';
import type { RebuildJob } from '../domain/rebuild-job.js';

export interface DeadLetterFilter {
  status?: DeadLetterStatus | null;
  group?: string | null;
  code?: string | null;
  originalTopic?: string | null;
}

/** Reads outside a transaction (no locks): the admin's listings. */
export interface DeadLetterReader {
  byId(id: string): Promise<DeadLetter | null>;
  /** Newest first, keyset-paginated on the time-ordered id: at most `limit`, older than `beforeId`. */
  page(filter: DeadLetterFilter, beforeId: string | null, limit: number): Promise<DeadLetter[]>;
}

export interface RebuildJobReader {
  byId(id: string): Promise<RebuildJob | null>;
  latest(limit: number): Promise<RebuildJob[]>;
}

export interface DeadLetterRepository {
  /** Locks the row: two admins replaying at once cannot both send it. */
  byIdForUpdate(id: string): Promise<DeadLetter | null>;
}

export interface RebuildJobRepository {
  /** Loads and row-locks the job for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<RebuildJob | null>;
  /** A new job (`track` it: the command it recorded goes to the outbox on commit). */
  add(job: RebuildJob): void;
}

/**
 * Sends a message as it was (its envelope, id included) through the outbox, committed with the
 * dead letter's new status: a replay is published at least once or not at all.
 */
export interface ReplayOutbox {
  publish(topic: string, key: string, messageId: string, envelope: EventEnvelope): void;
}

/** The repositories of one operations transaction (the kit adds `track` and `afterCommit`). */
export interface OperationsRepositories {
  deadLetters: DeadLetterRepository;
  rebuildJobs: RebuildJobRepository;
  replays: ReplayOutbox;
}

/** What the operations use cases read besides their input: the clock and the listings. */
export interface OperationsExtras {
  clock: Clock;
  deadLetters: DeadLetterReader;
  rebuildJobs: RebuildJobReader;
}

/** What every operations use case receives besides its input (declared once: operationsUseCases). */
export type OperationsContext = UseCaseContext<OperationsRepositories, OperationsExtras>;

/** One operations transaction as a use case sees it: the repositories, `track` and `afterCommit`. */
export type OperationsTransaction = OperationsRepositories & TransactionTools;
