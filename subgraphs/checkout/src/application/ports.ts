import type { Actor } from '@marketplace/platform';
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
  add(saga: CheckoutSaga): void;
  /** When the oldest command or event still waiting in this subgraph's outbox was written; null when none waits. */
  oldestUnsentAt(): Promise<Date | null>;
}

export interface CheckoutTransaction {
  checkouts: CheckoutRepository;
  /** Enlists the saga: its commands and events go to the outbox on commit. */
  track(saga: CheckoutSaga): void;
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

export interface CheckoutContext {
  actor: Actor | null;
  correlationId: string;
  causationId?: string;
  clock: Clock;
  settings: SagaSettings;
  newId(): string;
  /** A stable hash (hex) of a canonical string. */
  hash(text: string): string;
  /**
   * One transaction; a rejected result rolls it back. A race on the idempotency key surfaces as
   * CHECKOUT.CONCURRENT_PLACE, a second running checkout of one cart as CHECKOUT.CART_IN_CHECKOUT.
   */
  transaction<T>(work: (tx: CheckoutTransaction) => Promise<Result<T>>): Promise<Result<T>>;
}
