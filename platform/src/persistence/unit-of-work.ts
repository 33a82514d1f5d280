import type { EntityManager } from '@mikro-orm/postgresql';
import type { AggregateRoot, Result } from '@marketplace/shared-kernel';
import { appendToOutbox, type MessageMeta } from '../messaging/outbox.js';

/** What a use case sees of a transaction: its entity manager and a way to enlist aggregates. */
export class TransactionScope {
  private readonly aggregates = new Set<AggregateRoot>();
  constructor(readonly em: EntityManager) {}

  /** The aggregate's recorded events go to the outbox when the transaction commits. */
  track<A extends AggregateRoot>(aggregate: A): A {
    this.aggregates.add(aggregate);
    return aggregate;
  }

  drainEvents() {
    return [...this.aggregates].flatMap((a) => a.pullEvents());
  }
}

/**
 * Runs a use case as one unit of work: load, mutate, then one flush that writes the
 * aggregate changes and their outbox rows in the same database transaction. A rejected
 * result (or an exception) rolls everything back, so nothing is published.
 */
/** Carries a rejected result out of the transaction callback so the transaction rolls back. */
class Rejected<T> {
  constructor(readonly result: Result<T>) {}
}

export async function inTransaction<T>(
  em: EntityManager,
  meta: MessageMeta,
  work: (scope: TransactionScope) => Promise<Result<T>>,
): Promise<Result<T>> {
  // Inside a consumer's transaction (inbox + effect) this nests as a savepoint, so the
  // effect, its outbox rows and the inbox record commit or roll back together.
  const runner = em.isInTransaction() ? em : em.fork();
  try {
    return await runner.transactional(async (tx) => {
      const scope = new TransactionScope(tx as EntityManager);
      const result = await work(scope);
      // A rejection undoes everything the work did, including statements already sent.
      if (!result.ok) throw new Rejected(result);
      appendToOutbox(tx, scope.drainEvents(), meta);
      return result;
    });
  } catch (error) {
    if (error instanceof Rejected) return error.result as Result<T>;
    throw error;
  }
}
