import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { forbidden, unauthenticated } from '@marketplace/platform';
import { CheckoutErrorCode, CheckoutSaga, type SagaReply } from '../domain/checkout-saga.js';
import { canonicalInput, validatePlaceOrder, type PlaceOrderInput } from '../domain/checkout-input.js';
import type { CheckoutContext } from './ports.js';

/** Raised by the store when two requests with one idempotency key insert at once. */
export const CONCURRENT_PLACE = 'CHECKOUT.CONCURRENT_PLACE';

/** Raised by the store when the cart already has a RUNNING checkout (one per cart). */
export const cartInCheckout = () =>
  domainError(CheckoutErrorCode.CartInCheckout, 'A checkout of this cart is already in progress', 'cartId');

const timing = (ctx: CheckoutContext) => ({
  now: ctx.clock.now(),
  stepTimeoutMs: ctx.settings.stepTimeoutMs,
});

/**
 * Starts a checkout for the signed-in buyer: the saga and its first command (cart snapshot)
 * commit together, and the buyer gets the RUNNING checkout at once. The same key with the
 * same input answers the first checkout; with other input it is refused.
 */
export async function placeOrder(
  input: PlaceOrderInput,
  ctx: CheckoutContext,
): Promise<Result<CheckoutSaga>> {
  if (!ctx.actor) return err(unauthenticated());
  if (ctx.actor.role !== 'buyer') return err(forbidden('Only buyers place orders'));
  const valid = validatePlaceOrder(input);
  if (!valid.ok) return valid;
  const buyerId = ctx.actor.userId;
  const inputHash = ctx.hash(canonicalInput(valid.value));

  const replay = async (): Promise<Result<CheckoutSaga> | null> => {
    const existing = await ctx.transaction(async (tx) =>
      ok(await tx.checkouts.byIdempotencyKey(buyerId, valid.value.idempotencyKey)),
    );
    if (!existing.ok || !existing.value) return null;
    return existing.value.inputHash === inputHash
      ? ok(existing.value)
      : err(
          domainError(
            CheckoutErrorCode.IdempotencyKeyReused,
            'This idempotency key was used for a different checkout',
            'idempotencyKey',
          ),
        );
  };

  const first = await replay();
  if (first) return first;
  const placed = await ctx.transaction(async (tx) => {
    const saga = CheckoutSaga.start(
      {
        id: ctx.newId(),
        orderId: ctx.newId(),
        paymentId: ctx.newId(),
        buyerId,
        cartId: valid.value.cartId,
        idempotencyKey: valid.value.idempotencyKey,
        inputHash,
        shippingAddress: valid.value.shippingAddress,
        paymentMethod: valid.value.paymentMethod,
      },
      timing(ctx),
      ctx.settings.reservationTtlSeconds,
    );
    const added = await tx.checkouts.add(saga);
    if (!added.ok) return added;
    tx.track(saga);
    return ok(saga);
  });
  // Lost a race for the key: the winner's checkout is the answer. A same-key racer may trip the
  // cart's constraint first, so the key decides before CART_IN_CHECKOUT is answered.
  const lostRace = [CONCURRENT_PLACE, CheckoutErrorCode.CartInCheckout] as string[];
  if (!placed.ok && lostRace.includes(placed.error.code)) return (await replay()) ?? placed;
  return placed;
}

export type SagaLocator = { checkoutId: string } | { orderId: string };

/**
 * Applies a participant's reply to the saga it belongs to and sends the next command in the same
 * transaction. Replies for unknown sagas, other steps or finished sagas change nothing.
 */
export async function handleReply(
  locator: SagaLocator,
  reply: SagaReply,
  ctx: CheckoutContext,
): Promise<Result<'applied' | 'ignored'>> {
  return ctx.transaction(async (tx) => {
    const saga =
      'checkoutId' in locator
        ? await tx.checkouts.byIdForUpdate(locator.checkoutId)
        : await tx.checkouts.byOrderIdForUpdate(locator.orderId);
    if (!saga) return ok('ignored' as const);
    const outcome = saga.handleReply(reply, timing(ctx));
    if (outcome === 'applied') tx.track(saga);
    return ok(outcome);
  });
}

/**
 * One sweep: re-sends or gives up the steps whose deadline passed. Returns how many sagas it
 * touched. While this subgraph's outbox cannot publish (its oldest waiting message is older than
 * `busStallMs`: the broker is down or unreachable), a re-send would only queue behind it and the
 * participants may not have the commands yet, so the deadlines start again instead: an outage of
 * the broker does not make every running checkout give up and cancel its order. Only while the
 * saga is younger than `busStallMaxAgeMs`: an outage longer than that times its steps out as usual.
 */
export async function sweepTimedOutSteps(ctx: CheckoutContext, limit = 50): Promise<Result<number>> {
  return ctx.transaction(async (tx) => {
    const at = timing(ctx);
    const now = at.now.getTime();
    const due = await tx.checkouts.claimTimedOut(at.now, limit);
    if (due.length === 0) return ok(0);
    const waitingSince = await tx.checkouts.oldestUnsentAt();
    const stalled = waitingSince !== null && now - waitingSince.getTime() >= ctx.settings.busStallMs;
    const reason = stalled ? `the broker has taken no message since ${waitingSince.toISOString()}` : '';
    const postponable = (saga: CheckoutSaga) =>
      stalled && now - saga.createdAt.getTime() < ctx.settings.busStallMaxAgeMs;
    for (const saga of due) {
      const changed = postponable(saga)
        ? saga.postpone(at, reason)
        : saga.timeOut(at, ctx.settings.stepAttempts) !== 'ignored';
      if (changed) tx.track(saga);
    }
    return ok(due.length);
  });
}
