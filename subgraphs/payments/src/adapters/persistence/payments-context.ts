import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction } from '@marketplace/platform';
import type { PaymentUnits, RunInTransaction } from '../../application/payments.js';
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
          afterCommit: (hook) => scope.afterCommit(hook),
        }),
    );
    if (result.ok) onCommit?.();
    return result;
  };
}

/**
 * The two units around a provider call: the intent in `em`'s transaction (a consumer's: it
 * commits with the inbox record), the outcome in a transaction of its own on `fresh()`.
 */
export function paymentUnits(
  em: EntityManager,
  fresh: () => EntityManager,
  meta: MessageMetaInput,
  onCommit?: () => void,
): PaymentUnits {
  return { intent: runInTransaction(em, meta, onCommit), outcome: runInTransaction(fresh(), meta, onCommit) };
}
