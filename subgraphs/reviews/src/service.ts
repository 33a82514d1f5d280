import type { ServiceDefinition, ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { reviewEntities, reviewMigrations } from './adapters/persistence/reviews.schema.js';
import { reviewsUseCases } from './adapters/persistence/reviews-store.js';
import {
  createReviewResolvers,
  productReference,
  sellerReference,
} from './adapters/graphql/reviews.resolver.js';
import { ProductRef, SellerRef } from './adapters/graphql/reviews.types.js';
import { eligibilityConsumer } from './adapters/messaging/eligibility-consumer.js';
import { rebuildRatingsConsumer } from './adapters/messaging/rebuild-consumer.js';

/**
 * The reviews subgraph: buyers rate products they received; Product and Seller get a rating
 * summary. Eligibility is a projection of the orders and shipping events.
 */
export function createReviewsService(): ServiceDefinition {
  return {
    name: 'reviews',
    entities: reviewEntities,
    migrations: reviewMigrations,
    // Ratings, and the answers to operations' rebuild commands.
    publishes: [Topics.productRating, Topics.readModelRebuilds],
    graphql: (deps) => ({
      resolvers: createReviewResolvers(reviewsUseCases.bind(deps)),
      // Entities this subgraph only contributes fields to; no query returns them.
      orphanedTypes: [ProductRef, SellerRef],
      referenceResolvers: { Product: productReference, Seller: sellerReference },
    }),
    consumers: (deps) => {
      const uc = reviewsUseCases.bind(deps);
      return [eligibilityConsumer(uc), rebuildRatingsConsumer(uc)];
    },
  };
}

export const reviewsService = createReviewsService();

export const createService: ServiceFactory = () => createReviewsService();
