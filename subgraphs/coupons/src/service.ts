import { intFromEnv, type ServiceDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { couponEntities, couponMigrations } from './adapters/persistence/coupon.schema.js';
import { couponReference, createCouponResolver } from './adapters/graphql/coupon.resolver.js';
import {
  CartRef,
  cartReference,
  createCartPricingResolver,
} from './adapters/graphql/cart-pricing.resolver.js';
import { checkoutCommandsConsumer } from './adapters/messaging/redemption-commands.js';
import {
  StoreCodeGuessThrottle,
  type GuessThrottleSettings,
} from './adapters/security/code-guess-throttle.js';

/** The coupons subgraph: coupons, their redemptions, and the pricing of carts with them. */
export const couponsService: ServiceDefinition = {
  name: 'coupons',
  defaultPort: 4006,
  entities: couponEntities,
  migrations: couponMigrations,
  // Coupon events keyed by coupon id; replies to the checkout keyed by order id.
  publishes: [Topics.coupon, Topics.couponRedemption],
  graphql: ({ relay, store }) => ({
    resolvers: [
      createCouponResolver({ onCommit: () => relay.nudge() }),
      createCartPricingResolver({ throttle: new StoreCodeGuessThrottle(store, guessThrottleSettings()) }),
    ],
    orphanedTypes: [CartRef],
    referenceResolvers: { Coupon: couponReference, Cart: cartReference },
  }),
  consumers: ({ logger, store }) => [
    checkoutCommandsConsumer(
      logger.child({ consumer: 'coupons.checkout-commands' }),
      new StoreCodeGuessThrottle(store, guessThrottleSettings()),
    ),
  ],
};

/** The coupon-code guessing limits (README: Code guessing). */
export function guessThrottleSettings(env: NodeJS.ProcessEnv = process.env): GuessThrottleSettings {
  const suffix = env.CONSUMER_GROUP_SUFFIX ? `:${env.CONSUMER_GROUP_SUFFIX}` : '';
  return {
    maxPerCart: intFromEnv('COUPONS_GUESS_MAX_PER_CART', 10, env),
    maxPerBuyer: intFromEnv('COUPONS_GUESS_MAX_PER_BUYER', 20, env),
    maxPerClient: intFromEnv('COUPONS_GUESS_MAX_PER_CLIENT', 50, env),
    windowSeconds: intFromEnv('COUPONS_GUESS_WINDOW_SECONDS', 900, env),
    prefix: env.COUPONS_GUESS_PREFIX ?? `coupons:code-guesses${suffix}`,
  };
}
