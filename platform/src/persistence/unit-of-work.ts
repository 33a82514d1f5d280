import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainError, EventSource, Result } from '@marketplace/shared-kernel';
import { appendToOutbox, type MessageMeta } from '../messaging/outbox.js';
import { OutboxMessage } from './outbox-message.js';
import { afterCommit, withCommitScope } from './commit-scope.js';

/** What a use case sees of a transaction: its entity manager and a way to enlist aggregates. */
export class TransactionScope {
  private readonly aggregates = new Set<EventSource>();
  constructor(readonly em: EntityManager) {}

  /** The aggregate's recorded events go to the outbox when the transaction commits. */
  track<A extends EventSource>(aggregate: A): A {
    this.aggregates.add(aggregate);
    return aggregate;
  }

  /** Runs once the outermost transaction has committed; dropped if this one rolls back. */
  afterCommit(hook: () => unknown): void {
    void afterCommit(hook);
  }

  drainEvents() {
    return [...this.aggregates].flatMap((a) => a.pullEvents());
  }
}

/** Carries a rejected result out of the transaction callback so the transaction rolls back. */
class Rejected<T, E> {
  constructor(readonly result: Result<T, E>) {}
}

export interface TransactionOptions {
  /**
   * Runs after the outermost commit when this transaction wrote outbox rows (the relay's nudge):
   * its tracked aggregates' events, or rows it persisted itself and had not flushed yet.
   */
  onEvents?: () => unknown;
  /** A commit hook that failed (logged by the caller; the change itself is committed). */
  onHookError?: (error: unknown) => void;
}

/**
 * Runs a use case as one unit of work: load, mutate, then one flush that writes the
 * aggregate changes and their outbox rows in the same database transaction. A rejected
 * result (or an exception) rolls everything back, so nothing is published and no commit hook
 * runs. Inside a consumer's transaction (inbox + effect) it nests as a savepoint, and its commit
 * hooks wait for the consumer's commit.
 */
export async function inTransaction<T, E = DomainError>(
  em: EntityManager,
  meta: MessageMeta,
  work: (scope: TransactionScope) => Promise<Result<T, E>>,
  options: TransactionOptions = {},
): Promise<Result<T, E>> {
  const runner = em.isInTransaction() ? em : em.fork();
  return withCommitScope(
    async () => {
      try {
        return await runner.transactional(async (tx) => {
          const scope = new TransactionScope(tx as EntityManager);
          const result = await work(scope);
          // A rejection undoes everything the work did, including statements already sent.
          if (!result.ok) throw new Rejected(result);
          const written = appendToOutbox(tx, scope.drainEvents(), meta);
          // Outbox rows the work persisted itself (a message sent on as it was: operations'
          // replay of a dead letter) wake the relay too, once they are committed.
          const forwarded = () =>
            [...tx.getUnitOfWork().getPersistStack()].some((entity) => entity instanceof OutboxMessage);
          if ((written.length > 0 || forwarded()) && options.onEvents) scope.afterCommit(options.onEvents);
          return result;
        });
      } catch (error) {
        if (error instanceof Rejected) return error.result as Result<T, E>;
        throw error;
      }
    },
    (result) => result.ok,
    options.onHookError,
  );
}
