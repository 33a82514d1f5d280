import type { EntityManager } from '@mikro-orm/postgresql';
import { appendToOutbox, type ConsumerDefinition } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { clearCart, snapshotCart } from '../../application/checkout-cart.js';
import { cartContext, type CartContextDeps } from '../persistence/cart-store.js';

type SnapshotCart = PayloadOf<'cart.snapshot-cart@1'>;
type ClearCart = PayloadOf<'cart.clear-cart@1'>;

/**
 * The checkout saga's commands on `cart.commands`. The reply goes through the outbox in the
 * consumer's transaction (with the effect and the inbox row), causationId = the command's id:
 * snapshot-cart → `cart.cart-snapshotted` | `cart.cart-snapshot-rejected` (on `cart.checkout`),
 * clear-cart → `cart.cart-checked-out` (on `cart.cart`, recorded by the cart itself).
 */
export function checkoutCommandsConsumer(deps: CartContextDeps): ConsumerDefinition {
  const contextFor = (envelope: EventEnvelope, em: EntityManager) =>
    cartContext(
      {
        actor: null,
        em,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
      deps,
    );
  const snapshot = async (envelope: EventEnvelope, em: EntityManager) => {
    const { checkoutId, cartId, buyerId } = envelope.payload as SnapshotCart;
    const taken = await snapshotCart({ checkoutId, cartId, buyerId }, contextFor(envelope, em));
    const reply = taken.ok
      ? { type: 'cart.cart-snapshotted', payload: { checkoutId, cartId, buyerId, ...taken.value } }
      : {
          type: 'cart.cart-snapshot-rejected',
          payload: { checkoutId, cartId, code: taken.error.code, message: taken.error.message },
        };
    appendToOutbox(
      em,
      [{ ...reply, version: 1, aggregateType: 'Checkout', aggregateId: checkoutId, occurredAt: new Date() }],
      {
        producer: 'cart',
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
    );
    await em.flush();
    deps.onCommit?.();
  };
  const clear = async (envelope: EventEnvelope, em: EntityManager) => {
    const command = envelope.payload as ClearCart;
    const cleared = await clearCart(command, contextFor(envelope, em));
    // Every refusal (no such cart, a guest cart, a checkout that cleared another cart) is final:
    // retrying cannot help and the contract has no rejection reply for clear-cart. So it is logged
    // and consumed; the saga, past its point of no return, completes when its deadline passes.
    if (!cleared.ok)
      deps.logger?.error(
        {
          cartId: command.cartId,
          checkoutId: command.checkoutId,
          orderId: command.orderId,
          code: cleared.error.code,
          reason: cleared.error.message,
        },
        'clear-cart refused; no reply (the checkout completes without the cart cleared)',
      );
  };
  return {
    groupId: 'cart.checkout-commands',
    topics: [Topics.cartCommands],
    handlers: {
      [contractKey('cart.snapshot-cart', 1)]: snapshot,
      [contractKey('cart.clear-cart', 1)]: clear,
    },
  };
}
