import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { holdCartLines, mergeCartHolds, releaseCartHold } from '../../application/cart-holds.js';
import type { InventoryContext } from '../../application/ports.js';
import type { InventoryUseCases } from '../persistence/inventory-store.js';

/** One line of a cart set to a quantity (0 drops it from the hold). */
const setLine = (
  p: { cartId: string; buyerId: string | null; sku: string; quantity: number },
  ctx: InventoryContext,
) =>
  holdCartLines({ cartId: p.cartId, buyerId: p.buyerId, lines: [{ sku: p.sku, quantity: p.quantity }] }, ctx);

/**
 * Keeps a soft hold per signed-in buyer's cart (reference `cart:<cartId>`) in step with the
 * cart's lines; guest carts (`buyerId` null) hold nothing (see `CartHoldPolicy`). The payloads
 * passed their contracts, so a rejection is a bug: it is dead-lettered.
 */
export function cartConsumer(uc: InventoryUseCases): ConsumerDefinition {
  return {
    groupId: 'inventory.cart-holds',
    topics: [Topics.cart],
    handlers: {
      ...uc.on('cart.line-added@1', { run: setLine }),
      ...uc.on('cart.line-quantity-changed@1', { run: setLine }),
      ...uc.on('cart.line-removed@1', { run: (p, ctx) => setLine({ ...p, quantity: 0 }, ctx) }),
      ...uc.on('cart.carts-merged@1', {
        run: (p, ctx) =>
          mergeCartHolds(
            {
              sourceCartId: p.sourceCartId,
              targetCartId: p.cartId,
              lines: p.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
            },
            ctx,
          ),
      }),
      ...uc.on('cart.cart-expired@1', {
        run: (p, ctx) => releaseCartHold({ cartId: p.cartId, buyerId: p.buyerId }, 'EXPIRED', ctx),
      }),
      // Checkout took lines out of the cart (their units are the order's firm reservation now):
      // a checked-out cart's hold ends for good; otherwise the removed SKUs leave the hold.
      ...uc.on('cart.cart-checked-out@1', {
        run: (p, ctx) =>
          p.status === 'CHECKED_OUT'
            ? releaseCartHold({ cartId: p.cartId, buyerId: p.buyerId }, 'RELEASED', ctx)
            : holdCartLines(
                {
                  cartId: p.cartId,
                  buyerId: p.buyerId,
                  lines: (p.removedSkus ?? []).map((sku) => ({ sku, quantity: 0 })),
                },
                ctx,
              ),
      }),
    },
  };
}
