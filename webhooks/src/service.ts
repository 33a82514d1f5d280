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
  type Logger,
  type Orm,
  type ServiceInfra,
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
}

export interface WebhookSidecar {
  readonly url: string;
  readonly orm: Orm;
  readonly app: FastifyInstance;
  readonly relay: OutboxRelay;
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

  const app = buildWebhookServer({
    secrets: options.secrets,
    logger,
    record: (event) => recordProviderEvent(orm.em as EntityManager, event),
    checkReady: async () => {
      await (orm.em.fork() as EntityManager).execute('select 1');
    },
    onStored: () => relay.nudge(),
    metrics,
  });
  const address = await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = (app.server.address() as { port: number }).port;
  logger.info({ address }, 'webhook sidecar listening');

  return {
    url: `http://127.0.0.1:${port}`,
    orm,
    app,
    relay,
    async close() {
      await app.close();
      await relay.stop();
      if (!options.infra) await bus.close();
      await orm.close(true);
      await metrics.close();
      await tracing.flush().catch(() => undefined);
    },
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
    secrets: {
      stripe: secret('STRIPE_WEBHOOK_SECRET'),
      razorpay: secret('RAZORPAY_WEBHOOK_SECRET'),
      sandbox: secret('SANDBOX_WEBHOOK_SECRET'),
    },
  };
}
