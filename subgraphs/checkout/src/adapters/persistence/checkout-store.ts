import { createHash } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  defineUseCases,
  oldestUnsentAt,
  storedOrder,
  storedWhere,
  type UseCases,
} from '@marketplace/platform';
import { domainError, err, newId, ok, systemClock, type Result } from '@marketplace/shared-kernel';
import { CheckoutSaga } from '../../domain/checkout-saga.js';
import { CheckoutSagaSchema } from './checkout.schema.js';
import type {
  CheckoutContext,
  CheckoutExtras,
  CheckoutRepositories,
  CheckoutRepository,
  SagaSettings,
} from '../../application/ports.js';
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
      storedWhere(CheckoutSaga, CheckoutSagaSchema, { _status: 'RUNNING', _deadlineAt: { $lte: now } }),
      {
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
        orderBy: storedOrder(CheckoutSaga, CheckoutSagaSchema, { _deadlineAt: 'asc' }),
        limit,
      },
    );
  }

  async add(saga: CheckoutSaga): Promise<Result<void>> {
    try {
      await this.em.persist(saga).flush();
      return ok(undefined);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        if (/checkout_saga_idempotency_key/.test(error.message))
          return err(domainError(CONCURRENT_PLACE, 'Another request placed this checkout'));
        if (/checkout_saga_cart_running/.test(error.message)) return err(cartInCheckout());
      }
      throw error;
    }
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

/**
 * How checkout's use cases get their context, once: the platform builds it for a request, a
 * reply and the timeout sweep, commits once per use case and wakes the relay after the commit.
 */
export function checkoutUseCases(settings: SagaSettings = DEFAULT_SETTINGS) {
  return defineUseCases<CheckoutRepositories, CheckoutExtras>({
    producer: 'checkout',
    repositories: (em) => ({ checkouts: new MikroCheckoutRepository(em) }),
    extras: () => ({ settings, clock: systemClock, newId, hash: sha256 }),
  });
}

export type CheckoutUseCases = UseCases<CheckoutContext>;

export function checkoutsByIds(em: EntityManager, ids: readonly string[]): Promise<CheckoutSaga[]> {
  return em.find(CheckoutSaga, { id: { $in: [...ids] } });
}

export function checkoutsByOrderIds(em: EntityManager, ids: readonly string[]): Promise<CheckoutSaga[]> {
  return em.find(CheckoutSaga, { orderId: { $in: [...ids] } });
}
