import type { PayloadOf } from '@marketplace/event-contracts';
import { ok, type Result } from '@marketplace/shared-kernel';
import type { CartContext } from './ports.js';

/**
 * Keeps the cart's `seller_standing` in step with the accounts subgraph: while a store is
 * suspended its lines show as unavailable and its items cannot be added. Older versions are
 * dropped, so a late or replayed event never suspends a reinstated seller again (or the reverse).
 * Answers whether the event applied.
 */
export function recordSellerStanding(
  payload: PayloadOf<'accounts.store-status-changed@1'>,
  ctx: CartContext,
): Promise<Result<boolean>> {
  return ctx.transaction(async (tx) =>
    ok(
      await tx.standings.apply(
        { sellerId: payload.sellerId, status: payload.status, version: payload.version },
        ctx.clock.now(),
      ),
    ),
  );
}
