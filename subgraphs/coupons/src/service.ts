import type { ServiceDefinition, ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { couponEntities, couponMigrations } from './adapters/persistence/coupon.schema.js';
import { couponsUseCases } from './adapters/persistence/coupon-store.js';
import { couponReference, createCouponResolver } from './adapters/graphql/coupon.resolver.js';
import {
  CartRef,
  cartReference,
  createCartPricingResolver,
} from './adapters/graphql/cart-pricing.resolver.js';
import { checkoutCommandsConsumer } from './adapters/messaging/redemption-commands.js';

/** The coupons subgraph: coupons, their redemptions, and the pricing of carts with them. */
export const couponsService: ServiceDefinition = {
  name: 'coupons',
  entities: couponEntities,
  migrations: couponMigrations,
  // Coupon events keyed by coupon id; replies to the checkout keyed by order id.
  publishes: [Topics.coupon, Topics.couponRedemption],
  graphql: (deps) => {
    const uc = couponsUseCases.bind(deps);
    return {
      resolvers: [createCouponResolver(uc), createCartPricingResolver(uc)],
      orphanedTypes: [CartRef],
      referenceResolvers: { Coupon: couponReference, Cart: cartReference },
    };
  },
  consumers: (deps) => [checkoutCommandsConsumer(couponsUseCases.bind(deps))],
};

export const createService: ServiceFactory = () => couponsService;
