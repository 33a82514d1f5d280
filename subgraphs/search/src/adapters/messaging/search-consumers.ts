import type { EntityManager } from '@mikro-orm/postgresql';
import { handlersForTopic, type ConsumerDefinition } from '@marketplace/platform';
import {
  Topics,
  contractKey,
  topicFor,
  type EventEnvelope,
  type PayloadOf,
} from '@marketplace/event-contracts';
import type { ProductSnapshot } from '../../domain/product-document.js';
import { projectSnapshots, recordStockLevel, recordStoreStatus } from '../../application/project-events.js';
import { IndexUnavailableError, type ProductIndexWriter } from '../../application/ports.js';
import { SqlSearchState } from '../persistence/search-state.js';

type ProductEventV2 = PayloadOf<'products.product-updated@2'>;
type StockLevelChanged = PayloadOf<'inventory.stock-level-changed@1'>;
type StoreStatusChanged = PayloadOf<'accounts.store-status-changed@1'>;

export const STORE_STATUS_CHANGED = contractKey('accounts.store-status-changed', 1);
export const STOCK_LEVEL_CHANGED = contractKey('inventory.stock-level-changed', 1);

/**
 * One consumer group (`search.indexer`) over products, inventory and accounts: each handler
 * runs in the transaction that records the message in the inbox, and the index write happens
 * inside it, so a failed write rolls the state back. `index` gets that transaction's entity
 * manager: the Postgres index writes through it (one transaction for inbox, state and document);
 * Elasticsearch ignores it. An `IndexUnavailableError`
 * (Elasticsearch away or overloaded) is a transient failure for the consumer runner: it rolls
 * the transaction back and waits outside it, heartbeating, without spending retries or
 * dead-lettering. A refused write is retried by the runner and then dead-lettered.
 */
export function searchConsumers(
  index: (em: EntityManager) => ProductIndexWriter,
  /** First wait after an unavailable index (default: the runner's 200 ms); tests shorten it. */
  unavailableDelayMs?: number,
): ConsumerDefinition[] {
  const state = (em: EntityManager) => new SqlSearchState(em);

  const product = async (envelope: EventEnvelope, em: EntityManager) => {
    const payload = envelope.payload as ProductEventV2;
    await state(em).transaction((tx) =>
      projectSnapshots(
        [
          {
            productId: payload.productId,
            sellerId: payload.sellerId,
            version: payload.version,
            snapshot: payload.snapshot as ProductSnapshot,
            occurredAt: envelope.occurredAt,
          },
        ],
        { tx, index: index(em) },
      ),
    );
  };

  const stock = async (envelope: EventEnvelope, em: EntityManager) => {
    const payload = envelope.payload as StockLevelChanged;
    await state(em).transaction((tx) =>
      recordStockLevel(
        {
          sku: payload.sku,
          variantId: payload.variantId,
          productId: payload.productId,
          sellerId: payload.sellerId,
          available: payload.available,
          version: payload.version,
        },
        { tx, index: index(em) },
      ),
    );
  };

  const store = async (envelope: EventEnvelope, em: EntityManager) => {
    const payload = envelope.payload as StoreStatusChanged;
    await state(em).transaction((tx) =>
      recordStoreStatus(
        { sellerId: payload.sellerId, status: payload.status, version: payload.version },
        { tx },
      ),
    );
  };

  const handlers = {
    ...handlersForTopic(Topics.product, product, 2),
    [STOCK_LEVEL_CHANGED]: stock,
    [STORE_STATUS_CHANGED]: store,
  };
  const topics = [
    Topics.product,
    topicFor('inventory.stock-level-changed', 1),
    topicFor('accounts.store-status-changed', 1),
  ];
  return [
    {
      groupId: 'search.indexer',
      topics: [...new Set(topics)],
      handlers,
      isTransient: (error) => error instanceof IndexUnavailableError,
      ...(unavailableDelayMs === undefined
        ? {}
        : { transientBackoff: { initialDelayMs: unavailableDelayMs } }),
    },
  ];
}
