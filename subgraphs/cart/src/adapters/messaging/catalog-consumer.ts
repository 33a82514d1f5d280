import { handlersForTopic, type ConsumerDefinition } from '@marketplace/platform';
import { Topics, type ContractKey, type PayloadOf } from '@marketplace/event-contracts';
import { projectProductEvent } from '../../application/project-product.js';
import type { CartUseCases } from '../persistence/cart-store.js';

/** True when every v2 payload on the products topic fits the one the projection is typed by. */
type EveryV2Fits =
  PayloadOf<Extract<ContractKey, `products.${string}@2`>> extends PayloadOf<'products.product-updated@2'>
    ? true
    : false;
/** Fails to compile when a v2 products contract stops fitting (the one handler serves them all). */
const EVERY_V2_FITS: EveryV2Fits = true;

/**
 * Feeds `sku_catalog` from every products v2 event (each carries the whole product). v1
 * events are no longer produced and are skipped. Runs in the consumer's transaction with its
 * inbox record, so a redelivery has no second effect.
 */
export function catalogConsumer(uc: CartUseCases): ConsumerDefinition {
  // Every v2 contract on the topic (created, updated, price-changed, published, unpublished,
  // deleted, and any added later) carries the product in the same shape (EVERY_V2_FITS): one
  // kit handler, typed by that shape, serves them all.
  const { 'products.product-updated@2': project } = uc.on('products.product-updated@2', {
    run: projectProductEvent,
  });
  return {
    groupId: 'cart.catalog',
    topics: [Topics.product],
    handlers: EVERY_V2_FITS ? handlersForTopic(Topics.product, project, 2) : {},
  };
}
