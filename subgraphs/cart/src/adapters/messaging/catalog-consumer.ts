import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type ConsumerDefinition } from '@marketplace/platform';
import { Topics, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import type { Clock } from '@marketplace/shared-kernel';
import { projectProductEvent, type ProductEventV2 } from '../../application/project-product.js';
import { PgSkuCatalogProjection } from '../persistence/sku-catalog.js';

/**
 * Feeds `sku_catalog` from every products v2 event (each carries the whole product). v1
 * events are no longer produced and are skipped. Runs in the consumer's transaction with its
 * inbox record, so a redelivery has no second effect.
 */
export function catalogConsumer(clock: Clock): ConsumerDefinition {
  const project = async (envelope: EventEnvelope, em: EntityManager) => {
    // Every v2 product event shares this shape; the assignment checks it against the contract.
    const payload: ProductEventV2 = envelope.payload as PayloadOf<'products.product-updated@2'>;
    await projectProductEvent(payload, new PgSkuCatalogProjection(em), clock.now());
  };
  const handlers = handlersForTopic(Topics.product, project, 2);
  return { groupId: 'cart.catalog', topics: [Topics.product], handlers };
}
