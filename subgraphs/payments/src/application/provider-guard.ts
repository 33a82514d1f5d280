import { insideTransaction } from '@marketplace/platform';
import type { PaymentProvider } from './ports.js';

/**
 * A provider call made while a database transaction is open: it would hold a pooled connection
 * and the payment's row lock across an HTTP call (and its retry sleeps). A bug, never retried.
 */
export class ProviderCallInTransactionError extends Error {
  readonly code = 'PAYMENT.PROVIDER_CALL_IN_TRANSACTION';
  constructor(operation: string) {
    super(`payments called the provider (${operation}) inside a database transaction`);
    this.name = 'ProviderCallInTransactionError';
  }
}

/** The provider with every outbound call refused while a transaction is open in this async context. */
export function guardProvider(provider: PaymentProvider): PaymentProvider {
  const outside =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      insideTransaction() ? Promise.reject(new ProviderCallInTransactionError(operation)) : call(...args);
  return {
    name: provider.name,
    authorize: outside('authorize', provider.authorize.bind(provider)),
    capture: outside('capture', provider.capture.bind(provider)),
    void: outside('void', provider.void.bind(provider)),
    refund: outside('refund', provider.refund.bind(provider)),
    retrieve: outside('retrieve', provider.retrieve.bind(provider)),
    normaliseEvent: provider.normaliseEvent.bind(provider),
  };
}
