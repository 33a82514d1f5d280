import type { UseCaseContext } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { CheckoutSaga } from '../domain/checkout-saga.js';

export interface CheckoutRepository {
  /** Row-locks the saga for the rest of the transaction: replies for one saga queue here. */
  byIdForUpdate(id: string): Promise<CheckoutSaga | null>;
  byOrderIdForUpdate(orderId: string): Promise<CheckoutSaga | null>;
  byIdempotencyKey(buyerId: string, idempotencyKey: string): Promise<CheckoutSaga | null>;
  /**
   * Running sagas whose step deadline passed, row-locked with SKIP LOCKED: a saga another
   * instance (or a reply) holds is left to it, so two sweepers never act on one saga.
   */
  claimTimedOut(now: Date, limit: number): Promise<CheckoutSaga[]>;
  /**
   * Inserts the new saga at once: a race on the idempotency key is refused as
   * CHECKOUT.CONCURRENT_PLACE, a second running checkout of one cart as CHECKOUT.CART_IN_CHECKOUT
   * (the transaction then rolls back).
   */
  add(saga: CheckoutSaga): Promise<Result<void>>;
  /** When the oldest command or event still waiting in this subgraph's outbox was written; null when none waits. */
  oldestUnsentAt(): Promise<Date | null>;
}

/** The repositories of one checkout transaction (the kit adds `track` and `afterCommit`). */
export interface CheckoutRepositories {
  checkouts: CheckoutRepository;
}

export interface SagaSettings {
  stepTimeoutMs: number;
  stepAttempts: number;
  reservationTtlSeconds: number;
  /**
   * How long the outbox's oldest message may wait before the broker counts as not taking
   * messages; meanwhile step deadlines are postponed, not counted as attempts.
   */
  busStallMs: number;
  /**
   * How old a saga may get before a stalled broker no longer postpones its deadlines: past it, the
   * steps time out as usual. Kept well under the stock reservation's life, so a saga never goes
   * on with a reservation inventory has expired.
   */
  busStallMaxAgeMs: number;
}

/** The checkout's own context fields, declared once in its kit. */
export interface CheckoutExtras {
  clock: Clock;
  settings: SagaSettings;
  newId(): string;
  /** A stable hash (hex) of a canonical string. */
  hash(text: string): string;
}

/** What every checkout use case receives: the kit's context for a request, a reply or the sweep. */
export type CheckoutContext = UseCaseContext<CheckoutRepositories, CheckoutExtras>;
