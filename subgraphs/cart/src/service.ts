import { IntervalJob, intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { InvariantViolation, systemClock, type Clock } from '@marketplace/shared-kernel';
import { DEFAULT_CART_POLICY, cartPolicy, type CartPolicy } from './domain/cart-policy.js';
import { expireIdleCarts } from './application/expire-carts.js';
import { cartEntities, cartMigrations } from './adapters/persistence/cart.schema.js';
import { cartUseCases } from './adapters/persistence/cart-store.js';
import { cartReferenceResolver, createCartResolver } from './adapters/graphql/cart.resolver.js';
import { catalogConsumer } from './adapters/messaging/catalog-consumer.js';
import { storeStandingConsumer } from './adapters/messaging/store-standing-consumer.js';
import { checkoutCommandsConsumer } from './adapters/messaging/checkout-commands.js';

export interface CartServiceOptions {
  /** Tests move time forward to see carts expire. */
  clock?: Clock;
  policy?: CartPolicy;
  sweepIntervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** The limits from CART_* environment variables, checked once at start-up. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): CartPolicy {
  const d = DEFAULT_CART_POLICY;
  const checked = cartPolicy({
    maxLines: intFromEnv('CART_MAX_LINES', d.maxLines, env),
    maxQuantityPerLine: intFromEnv('CART_MAX_QUANTITY_PER_LINE', d.maxQuantityPerLine, env),
    maxCouponCodes: intFromEnv('CART_MAX_COUPON_CODES', d.maxCouponCodes, env),
    guestIdleDays: intFromEnv('CART_GUEST_IDLE_DAYS', d.guestIdleDays, env),
    buyerIdleDays: intFromEnv('CART_BUYER_IDLE_DAYS', d.buyerIdleDays, env),
  });
  if (!checked.ok) throw new InvariantViolation(checked.error.code, `cart policy: ${checked.error.message}`);
  return checked.value;
}

/**
 * The cart subgraph: buyers' and guests' carts priced against a local copy of the catalog
 * (fed by product events) and of the sellers' standing (fed by accounts events), their events
 * on `cart.cart`, and a sweeper closing idle carts.
 */
export function createCartService(options: CartServiceOptions = {}): ServiceDefinition {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const policy = options.policy ?? policyFromEnv(env);
  const sweepIntervalMs = options.sweepIntervalMs ?? intFromEnv('CART_SWEEP_INTERVAL_MS', 60_000, env);
  const kit = cartUseCases({ clock, policy });

  return {
    name: 'cart',
    entities: cartEntities,
    migrations: cartMigrations,
    // Cart events keyed by cart id; snapshot replies to the checkout keyed by checkout id.
    publishes: [Topics.cart, Topics.cartCheckout],
    graphql: (deps) => {
      const uc = kit.bind(deps);
      return { resolvers: [createCartResolver(uc)], referenceResolvers: { Cart: cartReferenceResolver(uc) } };
    },
    consumers: (deps) => {
      const uc = kit.bind(deps);
      return [catalogConsumer(uc), storeStandingConsumer(uc), checkoutCommandsConsumer(uc)];
    },
    jobs: (deps) => {
      const uc = kit.bind(deps);
      return [
        new IntervalJob({
          name: 'cart.expiry-sweeper',
          intervalMs: sweepIntervalMs,
          logger: deps.logger,
          run: async () => {
            const expired = await expireIdleCarts(uc.forJob());
            if (expired > 0) deps.logger.info({ expired }, 'expired idle carts');
          },
        }),
      ];
    },
  };
}

export const cartService = createCartService();

export const createService: ServiceFactory = () => createCartService();
