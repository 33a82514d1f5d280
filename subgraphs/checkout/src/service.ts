import { intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { checkoutEntities, checkoutMigrations } from './adapters/persistence/checkout.schema.js';
import { checkoutReference, createCheckoutResolver } from './adapters/graphql/checkout.resolver.js';
import { OrderRef } from './adapters/graphql/checkout.types.js';
import { replyConsumer } from './adapters/messaging/reply-consumer.js';
import { stepTimeoutJob } from './adapters/messaging/timeout-job.js';
import { observeSagaStates } from './adapters/persistence/saga-metrics.js';
import { checkoutUseCases } from './adapters/persistence/checkout-store.js';

/**
 * The checkout subgraph: the orchestrated checkout saga (cart snapshot; then shipping quote and
 * stock reservation at the same time; then order and coupons at the same time; payment; confirm;
 * clear cart), compensating what was done or is in flight when a step fails.
 * Env: CHECKOUT_STEP_TIMEOUT_MS (a step's deadline, default 30000), CHECKOUT_STEP_ATTEMPTS (sends of a
 * step's command before it gives up, default 3), CHECKOUT_TIMEOUT_SWEEP_MS (how often deadlines are
 * checked, default 1000), CHECKOUT_RESERVATION_TTL_SECONDS (the stock reservation's life, default 900),
 * CHECKOUT_BUS_STALL_MS (how long the outbox's oldest message may wait before deadlines are postponed
 * rather than counted, default 10000), CHECKOUT_BUS_STALL_MAX_AGE_MS (a saga older than this is no
 * longer postponed, default 300000).
 */
export function createCheckoutService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const settings = {
    stepTimeoutMs: intFromEnv('CHECKOUT_STEP_TIMEOUT_MS', 30_000, env),
    stepAttempts: intFromEnv('CHECKOUT_STEP_ATTEMPTS', 3, env),
    reservationTtlSeconds: intFromEnv('CHECKOUT_RESERVATION_TTL_SECONDS', 900, env),
    busStallMs: intFromEnv('CHECKOUT_BUS_STALL_MS', 10_000, env),
    busStallMaxAgeMs: intFromEnv('CHECKOUT_BUS_STALL_MAX_AGE_MS', 300_000, env),
  };
  const sweepMs = intFromEnv('CHECKOUT_TIMEOUT_SWEEP_MS', 1_000, env);
  const kit = checkoutUseCases(settings);
  return {
    name: 'checkout',
    entities: checkoutEntities,
    migrations: checkoutMigrations,
    // Saga events plus every command the saga sends.
    publishes: [
      Topics.checkout,
      Topics.cartCommands,
      Topics.shippingCommands,
      Topics.orderCommands,
      Topics.inventoryCommands,
      Topics.couponCommands,
      Topics.paymentCommands,
    ],
    graphql: (deps) => ({
      resolvers: [createCheckoutResolver(kit.bind(deps))],
      orphanedTypes: [OrderRef],
      referenceResolvers: { Checkout: checkoutReference },
    }),
    consumers: (deps) => [replyConsumer(kit.bind(deps))],
    metrics: ({ orm }, metrics) => observeSagaStates(metrics, orm),
    jobs: (deps) => [stepTimeoutJob(kit.bind(deps), { logger: deps.logger, intervalMs: sweepMs })],
  };
}

export const checkoutService = createCheckoutService();

export const createService: ServiceFactory = createCheckoutService;
