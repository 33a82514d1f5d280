import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction } from '@marketplace/platform';
import type { RunInTransaction } from '../../application/payments.js';
import { SqlLedger, SqlPaymentRepository } from './payment-store.js';

export interface MessageMetaInput {
  correlationId: string;
  causationId?: string;
  traceparent?: string;
}

/**
 * Binds the use cases' transaction to an entity manager. Inside a consumer's transaction this is
 * a savepoint, so the effect, its outbox rows and the inbox record commit together.
 */
export function runInTransaction(
  em: EntityManager,
  meta: MessageMetaInput,
  onCommit?: () => void,
): RunInTransaction {
  return async (work) => {
    const result = await inTransaction(
      em,
      {
        producer: 'payments',
        correlationId: meta.correlationId,
        causationId: meta.causationId,
        traceparent: meta.traceparent,
      },
      (scope) =>
        work({
          payments: new SqlPaymentRepository(scope.em),
          ledger: new SqlLedger(scope.em),
          track: (aggregate) => scope.track(aggregate),
        }),
    );
    if (result.ok) onCommit?.();
    return result;
  };
}
