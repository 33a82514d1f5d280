import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { clearCart, snapshotCart } from '../../application/checkout-cart.js';
import type { CartUseCases } from '../persistence/cart-store.js';

/**
 * The checkout saga's commands on `cart.commands`. The reply goes through the outbox in the
 * consumer's transaction (with the effect and the inbox row), causationId = the command's id:
 * snapshot-cart → `cart.cart-snapshotted` | `cart.cart-snapshot-rejected` (on `cart.checkout`),
 * clear-cart → `cart.cart-checked-out` (on `cart.cart`, raised by the cart itself).
 */
export function checkoutCommandsConsumer(uc: CartUseCases): ConsumerDefinition {
  return {
    groupId: 'cart.checkout-commands',
    topics: [Topics.cartCommands],
    handlers: {
      ...uc.on('cart.snapshot-cart@1', {
        run: ({ checkoutId, cartId, buyerId }, ctx) => snapshotCart({ checkoutId, cartId, buyerId }, ctx),
        reply: (taken, { checkoutId, cartId, buyerId }) => {
          const about = { aggregateType: 'Checkout', aggregateId: checkoutId };
          return taken.ok
            ? {
                contract: 'cart.cart-snapshotted@1',
                ...about,
                payload: { checkoutId, cartId, buyerId, ...taken.value },
              }
            : {
                contract: 'cart.cart-snapshot-rejected@1',
                ...about,
                payload: { checkoutId, cartId, code: taken.error.code, message: taken.error.message },
              };
        },
      }),
      // Every refusal (no such cart, a guest cart, a checkout that cleared another cart) is final:
      // retrying cannot help and the contract has no rejection reply for clear-cart. So it is
      // logged and consumed; the saga, past its point of no return, completes when its deadline passes.
      ...uc.on('cart.clear-cart@1', {
        run: (command, ctx) => clearCart(command, ctx),
        expected: ['CART.NOT_FOUND', 'CART.NOT_OWNER', 'CART.CHECKOUT_REUSED', 'CART.INVALID_TRANSITION'],
      }),
    },
  };
}
