import {
  createLogger,
  createOrm,
  initTracing,
  intFromEnv,
  KafkaBus,
  loadConfig,
  migrate,
  observeOutbox,
  OutboxRelay,
  ServiceMetrics,
  shutdownSettings,
  stopInPhases,
  type Drainable,
  type Logger,
  type Orm,
  type ServiceInfra,
  type ShutdownSettings,
} from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { recordProviderEvent, webhookMigrations } from './persistence.js';
import { buildWebhookServer, type WebhookSecrets } from './server.js';

export { buildWebhookServer, BODY_LIMIT_BYTES, type WebhookSecrets } from './server.js';
export * from './verification.js';

export interface WebhookSidecarOptions {
  postgresUrl: string;
  dbName: string;
  kafkaBrokers: string[];
  secrets: WebhookSecrets;
  /** 0 lets the OS choose (tests). */
  port: number;
  host?: string;
  logger?: Logger;
  /** Relay poll interval when the outbox is empty. */
  relayIdleDelayMs?: number;
  /** The embedded profile's bus and database directory, instead of Kafka and the Postgres server. */
  infra?: ServiceInfra;
  /** Where `SHUTDOWN_DRAIN_DELAY_MS` and `SHUTDOWN_GRACE_MS` come from (the process's by default). */
  env?: NodeJS.ProcessEnv;
}

export interface WebhookSidecar extends Drainable {
  readonly url: string;
  readonly orm: Orm;
  readonly app: FastifyInstance;
  readonly relay: OutboxRelay;
  readonly shutdown: ShutdownSettings;
  /**
   * Stops in phases: the server answers the webhooks in flight (up to the grace; new requests
   * get 503 meanwhile) and closes, the relay publishes what they stored, then the clients close.
   */
  close(): Promise<void>;
}

/** Migrates its database, ensures its topic, starts the outbox relay and the HTTP server. */
export async function startWebhookSidecar(options: WebhookSidecarOptions): Promise<WebhookSidecar> {
  const logger = options.logger ?? createLogger('webhooks');
  const tracing = initTracing('webhooks');
  const metrics = new ServiceMetrics('webhooks');
  const orm = await createOrm({
    postgresUrl: options.postgresUrl,
    dbName: options.dbName,
    entities: [],
    migrations: webhookMigrations,
    pgliteDir: options.infra?.pgliteDir,
  });
  await migrate(orm);
  observeOutbox(metrics, orm);
  const bus = options.infra?.bus ?? (await KafkaBus.connect('webhooks', options.kafkaBrokers));
  await bus.ensureTopics([Topics.providerEvent]);
  const relay = new OutboxRelay({ orm, bus, logger, idleDelayMs: options.relayIdleDelayMs ?? 200 });
  relay.start();

  let draining = false;
  const app = buildWebhookServer({
    secrets: options.secrets,
    logger,
    record: (event) => recordProviderEvent(orm.em as EntityManager, event),
    checkReady: async () => {
      if (draining) throw new Error('draining');
      await (orm.em.fork() as EntityManager).execute('select 1');
    },
    onStored: () => relay.nudge(),
    metrics,
  });
  // While draining, every answer asks the client to open its next connection elsewhere.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  const address = await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = (app.server.address() as { port: number }).port;
  logger.info({ address }, 'webhook sidecar listening');

  const shutdown = shutdownSettings(options.env);
  let stopping: Promise<void> | undefined;
  const close = () =>
    stopInPhases(
      [
        {
          name: 'http',
          run: async () => {
            draining = true;
            // Fastify stops listening, closes idle connections and answers new requests on busy
            // ones 503 while the webhooks in flight finish; past the grace the rest are closed.
            const forced = setTimeout(() => app.server.closeAllConnections(), shutdown.graceMs);
            await app.close().finally(() => clearTimeout(forced));
          },
        },
        // Everything acknowledged is in the outbox: published now, or at the next start.
        { name: 'outbox relay', run: () => relay.stop() },
        { name: 'bus', run: () => !options.infra && bus.close() },
        { name: 'database', run: () => orm.close(true) },
        {
          name: 'telemetry',
          run: () => Promise.all([metrics.close(), tracing.flush().catch(() => undefined)]),
        },
      ],
      logger,
    );
  return {
    url: `http://127.0.0.1:${port}`,
    orm,
    app,
    relay,
    shutdown,
    beginDrain: () => {
      draining = true;
    },
    close: () => (stopping ??= close()),
    stop: () => (stopping ??= close()),
  };
}

/** Options from the environment (see README.md). */
export function webhookOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSidecarOptions {
  const config = loadConfig(env);
  const secret = (name: string) => (env[name] && env[name] !== '' ? env[name] : undefined);
  return {
    postgresUrl: config.postgresUrl,
    kafkaBrokers: config.kafkaBrokers,
    dbName: env.WEBHOOKS_DB ?? 'mp_webhooks',
    port: intFromEnv('WEBHOOKS_PORT', 4012, env),
    env,
    secrets: {
      stripe: secret('STRIPE_WEBHOOK_SECRET'),
      razorpay: secret('RAZORPAY_WEBHOOK_SECRET'),
      sandbox: secret('SANDBOX_WEBHOOK_SECRET'),
    },
  };
}
