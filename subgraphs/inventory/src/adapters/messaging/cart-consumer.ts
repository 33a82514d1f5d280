import { InvariantViolation, type Result } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import {
  holdCartLines,
  mergeCartHolds,
  releaseCartHold,
  type CartHoldPolicy,
} from '../../application/cart-holds.js';
import type { InventoryContext } from '../../application/ports.js';
import { inventoryContext } from '../persistence/inventory-store.js';

type LineAdded = PayloadOf<'cart.line-added@1'>;
type LineQuantityChanged = PayloadOf<'cart.line-quantity-changed@1'>;
type LineRemoved = PayloadOf<'cart.line-removed@1'>;
type CartsMerged = PayloadOf<'cart.carts-merged@1'>;
type CartExpired = PayloadOf<'cart.cart-expired@1'>;
type CartCheckedOut = PayloadOf<'cart.cart-checked-out@1'>;

/**
 * Keeps a soft hold per signed-in buyer's cart (reference `cart:<cartId>`) in step with the
 * cart's lines; guest carts (`buyerId` null) hold nothing (see `CartHoldPolicy`).
 */
export function cartConsumer(policy: CartHoldPolicy): ConsumerDefinition {
  const handler =
    <P>(apply: (payload: P, ctx: InventoryContext) => Promise<Result<unknown>>) =>
    async (envelope: EventEnvelope, em: EntityManager) => {
      const ctx = inventoryContext({
        actor: null,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        em,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      });
      const done = await apply(envelope.payload as P, ctx);
      // The payload passed its contract, so a rejection is a bug: retry, then dead-letter.
      if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
    };
  const setLine = (
    p: { cartId: string; buyerId: string | null; sku: string; quantity: number },
    ctx: InventoryContext,
  ) =>
    holdCartLines(
      { cartId: p.cartId, buyerId: p.buyerId, lines: [{ sku: p.sku, quantity: p.quantity }] },
      policy,
      ctx,
    );

  return {
    groupId: 'inventory.cart-holds',
    topics: [Topics.cart],
    handlers: {
      [contractKey('cart.line-added', 1)]: handler<LineAdded>(setLine),
      [contractKey('cart.line-quantity-changed', 1)]: handler<LineQuantityChanged>(setLine),
      [contractKey('cart.line-removed', 1)]: handler<LineRemoved>((p, ctx) =>
        setLine({ ...p, quantity: 0 }, ctx),
      ),
      [contractKey('cart.carts-merged', 1)]: handler<CartsMerged>((p, ctx) =>
        mergeCartHolds(
          {
            sourceCartId: p.sourceCartId,
            targetCartId: p.cartId,
            lines: p.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
          },
          policy,
          ctx,
        ),
      ),
      [contractKey('cart.cart-expired', 1)]: handler<CartExpired>((p, ctx) =>
        releaseCartHold({ cartId: p.cartId, buyerId: p.buyerId }, 'EXPIRED', ctx),
      ),
      // Checkout took lines out of the cart (their units are the order's firm reservation now):
      // a checked-out cart's hold ends for good; otherwise the removed SKUs leave the hold.
      [contractKey('cart.cart-checked-out', 1)]: handler<CartCheckedOut>((p, ctx) =>
        p.status === 'CHECKED_OUT'
          ? releaseCartHold({ cartId: p.cartId, buyerId: p.buyerId }, 'RELEASED', ctx)
          : holdCartLines(
              {
                cartId: p.cartId,
                buyerId: p.buyerId,
                lines: (p.removedSkus ?? []).map((sku) => ({ sku, quantity: 0 })),
              },
              policy,
              ctx,
            ),
      ),
    },
  };
}
