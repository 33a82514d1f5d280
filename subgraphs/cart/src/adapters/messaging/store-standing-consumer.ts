import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { recordSellerStanding } from '../../application/record-seller-standing.js';
import type { CartUseCases } from '../persistence/cart-store.js';

/**
 * Feeds `seller_standing` from `accounts.store-status-changed@1` (topic `accounts.store`, key
 * = seller id, so one seller's changes arrive in order). Other events on the topic are skipped.
 * Runs in the consumer's transaction with its inbox record, so a redelivery has no second effect.
 */
export function storeStandingConsumer(uc: CartUseCases): ConsumerDefinition {
  return {
    groupId: 'cart.store-standing',
    topics: [Topics.store],
    handlers: uc.on('accounts.store-status-changed@1', { run: recordSellerStanding }),
  };
}
