import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import type { Clock } from '@marketplace/shared-kernel';
import { recordSellerStanding, type StoreStatusChangedV1 } from '../../application/record-seller-standing.js';
import { PgSellerStandingProjection } from '../persistence/seller-standing.js';

export const STORE_STATUS_CHANGED = contractKey('accounts.store-status-changed', 1);

/**
 * Feeds `seller_standing` from `accounts.store-status-changed@1` (topic `accounts.store`, key
 * = seller id, so one seller's changes arrive in order). Other events on the topic are skipped.
 * Runs in the consumer's transaction with its inbox record, so a redelivery has no second effect.
 */
export function storeStandingConsumer(clock: Clock): ConsumerDefinition {
  const record = async (envelope: EventEnvelope, em: EntityManager) => {
    // The assignment checks the cart's reading of the payload against the contract.
    const payload: StoreStatusChangedV1 = envelope.payload as PayloadOf<'accounts.store-status-changed@1'>;
    await recordSellerStanding(payload, new PgSellerStandingProjection(em), clock.now());
  };
  return {
    groupId: 'cart.store-standing',
    topics: [Topics.store],
    handlers: { [STORE_STATUS_CHANGED]: record },
  };
}
