import { IntervalJob, intFromEnv, type KeyValueStore, type ServiceDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { InvariantViolation, newId, systemClock, type Clock } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_CART_POLICY, cartPolicy, type CartPolicy } from './domain/cart-policy.js';
import { expireIdleCarts } from './application/expire-carts.js';
import { cartEntities, cartMigrations } from './adapters/persistence/cart.schema.js';
import { CartReader, cartContext } from './adapters/persistence/cart-store.js';
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
  // One reader per store, shared by the GraphQL side and the sweeper.
  const readers = new Map<KeyValueStore, CartReader>();
  const readerFor = (store: KeyValueStore): CartReader => {
    let reader = readers.get(store);
    if (!reader) readers.set(store, (reader = new CartReader(store)));
    return reader;
  };

  return {
    name: 'cart',
    defaultPort: 4005,
    entities: cartEntities,
    migrations: cartMigrations,
    // Cart events keyed by cart id; snapshot replies to the checkout keyed by checkout id.
    publishes: [Topics.cart, Topics.cartCheckout],
    graphql: ({ store, relay, logger }) => {
      const deps = { reader: readerFor(store), clock, policy, logger, onCommit: () => relay.nudge() };
      return {
        resolvers: [createCartResolver(deps)],
        referenceResolvers: { Cart: cartReferenceResolver(deps) },
      };
    },
    consumers: ({ store, relay, logger }) => [
      catalogConsumer(clock),
      storeStandingConsumer(clock),
      checkoutCommandsConsumer({
        reader: readerFor(store),
        clock,
        policy,
        logger,
        onCommit: () => relay.nudge(),
      }),
    ],
    jobs: ({ orm, store, relay, logger }) => [
      new IntervalJob({
        name: 'cart.expiry-sweeper',
        intervalMs: sweepIntervalMs,
        logger,
        run: async () => {
          const ctx = {
            actor: null,
            correlationId: newId(),
            em: orm.em.fork() as EntityManager,
          };
          const expired = await expireIdleCarts(
            cartContext(ctx, { reader: readerFor(store), clock, policy, onCommit: () => relay.nudge() }),
          );
          if (expired > 0) logger.info({ expired }, 'expired idle carts');
        },
      }),
    ],
  };
}

export const cartService = createCartService();
