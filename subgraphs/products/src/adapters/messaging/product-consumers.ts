import {
  handlersForTopic,
  type ConsumerDefinition,
  type EventHandler,
  type UseCases,
} from '@marketplace/platform';
import { Topics, type ContractKey, type PayloadOf } from '@marketplace/event-contracts';
import { forgetOlderViews } from '../../application/product-view.js';
import { recordStoreStanding } from '../../application/record-store-standing.js';
import type { ProductsContext, StoreStanding } from '../../application/ports.js';

/** Every contract the products topic carries, released versions included. */
type ProductEventKey = Extract<ContractKey, `products.${string}`>;

/**
 * The products' own events, from whichever instance made the change, mark cached views older
 * than the event stale. Every version of every product event does (each carries productId and
 * version); a contract added later fails to compile here until it is listed.
 */
export function cacheInvalidationConsumer(uc: UseCases<ProductsContext>): ConsumerDefinition {
  // Generic in the contract, so each entry is typed (and keyed) by its own contract alone.
  const invalidate = <K extends ProductEventKey>(contract: K) =>
    uc.on(contract, { run: (event: PayloadOf<K>, ctx) => forgetOlderViews(event, ctx) });
  const handlers = {
    ...invalidate('products.product-created@1'),
    ...invalidate('products.product-created@2'),
    ...invalidate('products.product-updated@1'),
    ...invalidate('products.product-updated@2'),
    ...invalidate('products.product-published@1'),
    ...invalidate('products.product-published@2'),
    ...invalidate('products.product-unpublished@1'),
    ...invalidate('products.product-unpublished@2'),
    ...invalidate('products.product-deleted@1'),
    ...invalidate('products.product-deleted@2'),
    ...invalidate('products.price-changed@1'),
    ...invalidate('products.price-changed@2'),
  } satisfies Record<ProductEventKey, EventHandler>;
  return { groupId: 'products.cache-invalidation', topics: [Topics.product], handlers };
}

/** Every contract on the store topic (`accounts.store-*`), every version. */
type StoreEventKey = Extract<ContractKey, `accounts.store-${string}`>;
/** True when every payload on the store topic carries a standing (seller, status, version). */
type EveryStoreEventFits = PayloadOf<StoreEventKey> extends StoreStanding ? true : false;
/** Fails to compile when a store contract stops carrying a standing (the one handler serves them all). */
const EVERY_STORE_EVENT_FITS: EveryStoreEventFits = true;

/**
 * Store standing from accounts decides storefront visibility and whether a seller may publish.
 * Every contract on the topic (registered, status changed, and any version added later) carries
 * the standing in the same shape (EVERY_STORE_EVENT_FITS): one kit handler serves them all.
 */
export function storeStandingConsumer(uc: UseCases<ProductsContext>): ConsumerDefinition {
  const { 'accounts.store-status-changed@1': record } = uc.on('accounts.store-status-changed@1', {
    run: ({ sellerId, status, version }: StoreStanding, ctx) =>
      recordStoreStanding({ sellerId, status, version }, ctx),
  });
  return {
    groupId: 'products.store-standing',
    topics: [Topics.store],
    handlers: EVERY_STORE_EVENT_FITS ? handlersForTopic(Topics.store, record) : {},
  };
}
