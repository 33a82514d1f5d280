import type { SellerStatus } from '../domain/catalog-item.js';
import type { SellerStandingProjection } from './ports.js';

/** The part of an `accounts.store-status-changed@1` payload the cart reads. */
export interface StoreStatusChangedV1 {
  sellerId: string;
  status: SellerStatus;
  version: number;
}

/**
 * Keeps the cart's `seller_standing` in step with the accounts subgraph: while a store is
 * suspended its lines show as unavailable and its items cannot be added. Older versions are
 * dropped, so a late or replayed event never suspends a reinstated seller again (or the reverse).
 */
export function recordSellerStanding(
  payload: StoreStatusChangedV1,
  projection: SellerStandingProjection,
  now: Date,
): Promise<boolean> {
  return projection.apply(
    { sellerId: payload.sellerId, status: payload.status, version: payload.version },
    now,
  );
}
