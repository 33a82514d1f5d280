import { handlersForTopic, type ConsumerDefinition, type Logger } from '@marketplace/platform';
import { Topics, type ContractKey, type PayloadOf } from '@marketplace/event-contracts';
import { openStock } from '../../application/manage-stock.js';
import type { InventoryUseCases } from '../persistence/inventory-store.js';

/** True when every v2 payload on the products topic fits the one the handler is typed by. */
type EveryV2Fits =
  PayloadOf<Extract<ContractKey, `products.${string}@2`>> extends PayloadOf<'products.product-updated@2'>
    ? true
    : false;
/** Fails to compile when a v2 products contract stops fitting (the one handler serves them all). */
const EVERY_V2_FITS: EveryV2Fits = true;

/**
 * Opens stock for every variant a product event lists that the inventory does not know yet.
 * Any v2 product event will do (a variant may first appear in an update); v1 events carry no
 * variants and are no longer produced, so they are not handled. A rejection here is a contract
 * bug, not bad luck: it is dead-lettered.
 */
export function catalogConsumer(uc: InventoryUseCases, logger: Logger): ConsumerDefinition {
  // Every v2 contract on the topic (created, updated, price-changed, published, unpublished,
  // deleted, and any added later) carries the product in the same shape (EVERY_V2_FITS): one
  // kit handler, typed by that shape, serves them all.
  const { 'products.product-updated@2': open } = uc.on('products.product-updated@2', {
    run: async ({ productId, sellerId, snapshot }, ctx, envelope) => {
      const opened = await openStock(
        {
          productId,
          sellerId,
          variants: snapshot.variants.map((v) => ({ variantId: v.variantId, sku: v.sku })),
        },
        ctx,
      );
      if (opened.ok && opened.value.conflicts.length > 0) {
        logger.error(
          { productId, messageId: envelope.id, conflicts: opened.value.conflicts },
          'catalog event gives SKUs of other variants to new variants; no stock opened for them',
        );
      }
      return opened;
    },
  });
  // A new group (the v1 one was `inventory.catalog`): it reads the topic from the beginning, so
  // every variant announced before stock per SKU existed gets its record.
  return {
    groupId: 'inventory.variants',
    topics: [Topics.product],
    handlers: EVERY_V2_FITS ? handlersForTopic(Topics.product, open, 2) : {},
  };
}
