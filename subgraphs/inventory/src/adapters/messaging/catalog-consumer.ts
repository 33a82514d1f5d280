import { InvariantViolation } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type ConsumerDefinition, type Logger } from '@marketplace/platform';
import { Topics, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { openStock } from '../../application/manage-stock.js';
import { inventoryContext } from '../persistence/inventory-store.js';

/** Every v2 product event carries this; the snapshot lists the variants with their SKUs. */
type ProductEventV2 = PayloadOf<'products.product-created@2'>;

/**
 * Opens stock for every variant a product event lists that the inventory does not know yet.
 * Any v2 product event will do (a variant may first appear in an update); v1 events carry no
 * variants and are no longer produced, so they are not handled.
 */
export function catalogConsumer(logger: Logger): ConsumerDefinition {
  const handle = async (envelope: EventEnvelope, em: EntityManager) => {
    const { productId, sellerId, snapshot } = envelope.payload as ProductEventV2;
    const ctx = inventoryContext({
      actor: null,
      correlationId: envelope.correlationId,
      causationId: envelope.id,
      em,
      ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
    });
    const opened = await openStock(
      {
        productId,
        sellerId,
        variants: snapshot.variants.map((v) => ({ variantId: v.variantId, sku: v.sku })),
      },
      ctx,
    );
    // A rejection here is a contract bug, not bad luck: fail so it is retried, then dead-lettered.
    if (!opened.ok) throw new InvariantViolation(opened.error.code, opened.error.message);
    if (opened.value.conflicts.length > 0) {
      logger.error(
        { productId, messageId: envelope.id, conflicts: opened.value.conflicts },
        'catalog event gives SKUs of other variants to new variants; no stock opened for them',
      );
    }
  };
  const handlers = handlersForTopic(Topics.product, handle, 2);
  // A new group (the v1 one was `inventory.catalog`): it reads the topic from the beginning, so
  // every variant announced before stock per SKU existed gets its record.
  return { groupId: 'inventory.variants', topics: [Topics.product], handlers };
}
