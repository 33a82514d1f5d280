import { createHash } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, oldestUnsentAt } from '@marketplace/platform';
import { domainError, err, newId, systemClock, type Clock } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { CheckoutSaga } from '../../domain/checkout-saga.js';
import type { CheckoutContext, CheckoutRepository, SagaSettings } from '../../application/ports.js';
import { CONCURRENT_PLACE, cartInCheckout } from '../../application/checkout.js';

export class MikroCheckoutRepository implements CheckoutRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<CheckoutSaga | null> {
    return this.em.findOne(CheckoutSaga, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  byOrderIdForUpdate(orderId: string): Promise<CheckoutSaga | null> {
    return this.em.findOne(CheckoutSaga, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  byIdempotencyKey(buyerId: string, idempotencyKey: string): Promise<CheckoutSaga | null> {
    return this.em.findOne(CheckoutSaga, { buyerId, idempotencyKey });
  }

  claimTimedOut(now: Date, limit: number): Promise<CheckoutSaga[]> {
    return this.em.find(
      CheckoutSaga,
      { status: 'RUNNING', deadlineAt: { $lte: now } },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { deadlineAt: 'asc' }, limit },
    );
  }

  add(saga: CheckoutSaga): void {
    this.em.persist(saga);
  }

  oldestUnsentAt(): Promise<Date | null> {
    return oldestUnsentAt(this.em);
  }
}

export const DEFAULT_SETTINGS: SagaSettings = {
  stepTimeoutMs: 30_000,
  stepAttempts: 3,
  reservationTtlSeconds: 900,
  busStallMs: 10_000,
  busStallMaxAgeMs: 300_000,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface CheckoutContextOptions {
  clock?: Clock;
  settings?: SagaSettings;
  onCommit?: () => void;
}

export function checkoutContext(
  ctx: {
    actor: Actor | null;
    correlationId: string;
    causationId?: string;
    traceparent?: string;
    em: EntityManager;
  },
  options: CheckoutContextOptions = {},
): CheckoutContext {
  return {
    actor: ctx.actor,
    correlationId: ctx.correlationId,
    ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
    clock: options.clock ?? systemClock,
    settings: options.settings ?? DEFAULT_SETTINGS,
    newId,
    hash: sha256,
    transaction: async (work) => {
      try {
        const result = await inTransaction(
          ctx.em,
          {
            producer: 'checkout',
            correlationId: ctx.correlationId,
            causationId: ctx.causationId,
            traceparent: ctx.traceparent,
          },
          (scope) =>
            work({
              checkouts: new MikroCheckoutRepository(scope.em),
              track: (saga) => scope.track(saga),
            }),
        );
        if (result.ok) options.onCommit?.();
        return result;
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          if (/checkout_saga_idempotency_key/.test(error.message))
            return err(domainError(CONCURRENT_PLACE, 'Another request placed this checkout'));
          if (/checkout_saga_cart_running/.test(error.message)) return err(cartInCheckout());
        }
        throw error;
      }
    },
  };
}

export function checkoutsByIds(em: EntityManager, ids: readonly string[]): Promise<CheckoutSaga[]> {
  return em.find(CheckoutSaga, { id: { $in: [...ids] } });
}

export function checkoutsByOrderIds(em: EntityManager, ids: readonly string[]): Promise<CheckoutSaga[]> {
  return em.find(CheckoutSaga, { orderId: { $in: [...ids] } });
}
