import {
  createOrm,
  intFromEnv,
  loadConfig,
  migrate,
  type Orm,
  type ServiceDefinition,
  type ServiceFactory,
} from '@marketplace/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentsUseCases } from './adapters/persistence/payment-store.js';
import { Topics } from '@marketplace/event-contracts';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import {
  Migration20261122001000CreateSandboxState,
  paymentMigrations,
} from './adapters/persistence/payments.schema.js';
import {
  createPaymentResolvers,
  orderReference,
  paymentReference,
} from './adapters/graphql/payment.resolver.js';
import { OrderRef } from './adapters/graphql/payment.types.js';
import { paymentConsumers } from './adapters/messaging/payment-consumers.js';
import { reconciliationJob } from './adapters/messaging/reconciliation-job.js';
import { createSandboxProvider } from './adapters/providers/sandbox.js';
import type { SandboxStore } from './adapters/providers/sandbox-store.js';
import { postgresSandboxStore } from './adapters/persistence/sandbox-pg-store.js';
import { createStripeProvider } from './adapters/providers/stripe.js';
import { createRazorpayProvider } from './adapters/providers/razorpay.js';
import type { PaymentProvider, ProviderName, ProviderRegistry } from './application/ports.js';
import type { RetryPolicySettings } from './domain/retry-policy.js';
import { MAX_PROVIDER_ERRORS } from './application/provider-call.js';

/**
 * Builds the configured providers: Stripe and Razorpay when their keys are set, the sandbox only
 * when PAYMENTS_SANDBOX_ENABLED=true. The sandbox approves test cards without taking money, so a
 * deployment that forgot to switch it off would hand out goods for free: it is opt-in.
 * `sandboxStore` keeps the sandbox's state (the service passes the Postgres one); in memory when unset.
 */
export function providersFromEnv(
  env: NodeJS.ProcessEnv,
  extra: PaymentProvider[] = [],
  sandboxStore?: SandboxStore,
): ProviderRegistry {
  const map = new Map<ProviderName, PaymentProvider>();
  if (env.PAYMENTS_SANDBOX_ENABLED === 'true')
    map.set(
      'SANDBOX',
      createSandboxProvider({
        ...(env.SANDBOX_WEBHOOK_URL ? { webhookUrl: env.SANDBOX_WEBHOOK_URL } : {}),
        ...(env.SANDBOX_WEBHOOK_SECRET ? { webhookSecret: env.SANDBOX_WEBHOOK_SECRET } : {}),
        ...(sandboxStore ? { store: sandboxStore } : {}),
      }),
    );
  if (env.STRIPE_SECRET_KEY)
    map.set(
      'STRIPE',
      createStripeProvider({
        secretKey: env.STRIPE_SECRET_KEY,
        ...(env.STRIPE_API_BASE ? { apiBase: env.STRIPE_API_BASE } : {}),
      }),
    );
  if (env.RAZORPAY_KEY_ID && env.RAZORPAY_KEY_SECRET)
    map.set(
      'RAZORPAY',
      createRazorpayProvider({
        keyId: env.RAZORPAY_KEY_ID,
        keySecret: env.RAZORPAY_KEY_SECRET,
        ...(env.RAZORPAY_API_BASE ? { apiBase: env.RAZORPAY_API_BASE } : {}),
      }),
    );
  for (const p of extra) map.set(p.name, p);
  return { get: (name) => map.get(name), names: () => [...map.keys()] };
}

export interface PaymentsServiceOptions {
  /** Replaces the providers built from env (tests pass a sandbox they can inspect). */
  providers?: ProviderRegistry;
  clock?: Clock;
  retry?: RetryPolicySettings;
}

/**
 * The payments subgraph: payments and their provider attempts, refunds, the double-entry ledger
 * and reconciliation. Env: PAYMENTS_COMMISSION_BPS (default 1000 = 10%),
 * PAYMENTS_RECONCILE_INTERVAL_MS (default 60000), PAYMENTS_MAX_PROVIDER_ERRORS (default 5),
 * PAYMENTS_SANDBOX_ENABLED (default off), SANDBOX_WEBHOOK_URL / SANDBOX_WEBHOOK_SECRET,
 * STRIPE_SECRET_KEY / STRIPE_API_BASE, RAZORPAY_KEY_ID / RAZORPAY_KEY_SECRET / RAZORPAY_API_BASE.
 */
export function createPaymentsService(
  env: NodeJS.ProcessEnv = process.env,
  options: PaymentsServiceOptions = {},
): ServiceDefinition {
  const commissionBps = intFromEnv('PAYMENTS_COMMISSION_BPS', 1_000, env);
  if (commissionBps < 0 || commissionBps > 10_000)
    throw new Error('PAYMENTS_COMMISSION_BPS must be 0..10000');
  const reconcileIntervalMs = intFromEnv('PAYMENTS_RECONCILE_INTERVAL_MS', 60_000, env);
  const maxProviderErrors = intFromEnv('PAYMENTS_MAX_PROVIDER_ERRORS', MAX_PROVIDER_ERRORS, env);
  // The sandbox stands in for an outside processor, so it gets its own small pool on the same
  // database: on the service's pool, payment transactions waiting for the sandbox could hold
  // every connection the sandbox needs to answer them (seen under 50 concurrent checkouts).
  // Opened at init (the database name is known then), closed on stop.
  let sandboxOrm: Orm | undefined;
  const sandboxStore = postgresSandboxStore(() => {
    if (!sandboxOrm) throw new Error('payments: the sandbox store is used before the service started');
    return sandboxOrm;
  });
  const providers = options.providers ?? providersFromEnv(env, [], sandboxStore);
  const clock = options.clock ?? systemClock;
  const kit = paymentsUseCases({
    providers,
    commissionBps,
    clock,
    maxProviderErrors,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  return {
    name: 'payments',
    entities: [],
    migrations: paymentMigrations,
    publishes: [Topics.payment],
    init: async (serviceDeps) => {
      if (serviceDeps.pgliteDir) {
        // An embedded database has one connection, so the sandbox gets a database of its own
        // (the processor's side, as in reality), with only its tables.
        const memory = serviceDeps.pgliteDir.startsWith('memory:');
        sandboxOrm = await createOrm({
          postgresUrl: '',
          dbName: 'payments-sandbox',
          pgliteDir: memory ? serviceDeps.pgliteDir : `${serviceDeps.pgliteDir}-sandbox`,
          entities: [],
          migrations: paymentMigrations.filter((m) => m.class === Migration20261122001000CreateSandboxState),
        });
        await migrate(sandboxOrm);
        return;
      }
      sandboxOrm = await createOrm({
        postgresUrl: loadConfig(env).postgresUrl,
        dbName: serviceDeps.orm.config.get('dbName'),
        entities: [],
        migrations: [],
        poolMax: 2,
      });
    },
    stop: async () => {
      await sandboxOrm?.close(true);
    },
    graphql: (deps) => ({
      resolvers: [...createPaymentResolvers(kit.bind(deps))],
      orphanedTypes: [OrderRef],
      referenceResolvers: { Payment: paymentReference, Order: orderReference },
    }),
    consumers: (deps) => paymentConsumers(kit.bind(deps), () => deps.orm.em.fork() as EntityManager),
    jobs: (deps) => [
      reconciliationJob({
        orm: deps.orm,
        uc: kit.bind(deps),
        logger: deps.logger,
        intervalMs: reconcileIntervalMs,
      }),
    ],
  };
}

export const paymentsService = createPaymentsService();

export const createService: ServiceFactory = (env) => createPaymentsService(env);
