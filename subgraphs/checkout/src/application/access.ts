import type { Actor } from '@marketplace/platform';
import type { CheckoutSaga } from '../domain/checkout-saga.js';

/** A buyer sees only its own checkouts; an admin sees all; everyone else sees none. */
export const canSee = (saga: CheckoutSaga, actor: Actor | null): boolean =>
  !!actor && (actor.role === 'admin' || (actor.role === 'buyer' && actor.userId === saga.buyerId));
