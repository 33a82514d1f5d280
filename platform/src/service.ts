import type { EntitySchema } from '@mikro-orm/core';
import { RedisStore } from './cache/redis-store.js';
import type { KeyValueStore } from './cache/store.js';
import { deadLetterTopic } from '@marketplace/event-contracts';
import { intFromEnv, loadConfig, type PlatformConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createOrm, migrate, type Orm, type OrmOptions } from './persistence/orm.js';
import type { Kafka, Producer } from './messaging/kafka.js';
import { KafkaBus } from './messaging/kafka-bus.js';
import type { MessageBus } from './messaging/bus.js';
import { OutboxRelay } from './messaging/relay.js';
import { ConsumerRunner, type ConsumerRunnerOptions } from './messaging/consumer.js';
import { startSubgraphServer } from './graphql/subgraph.js';
import { buildFederatedSchema, type FederatedSchemaOptions } from './graphql/federation.js';
import type { RunningServer } from './http/server.js';
import type { BackgroundJob } from './jobs.js';
import { observeConsumerLag, observeOutbox, ServiceMetrics } from './observability/metrics.js';
import { initTracing } from './observability/tracing.js';
import { registeredSubgraph, serviceDatabase } from './registry.js';
import {
  shutdownSettings,
  stopInPhases,
  stopOnSignals,
  type Drainable,
  type ShutdownSettings,
} from './shutdown.js';

/** What a subgraph's composition root gets to wire its adapters. */
export interface ServiceDeps {
  config: PlatformConfig;
  logger: Logger;
  orm: Orm;
  /** The event bus: Kafka in the services profile, the in-process log in the embedded one. */
  bus: MessageBus;
  relay: OutboxRelay;
  /** The service's embedded database directory in the embedded profile; unset on a Postgres server. */
  pgliteDir?: string;
  /** Caches, throttles: Redis (RedisStore) unless the caller passed a store (ServiceOverrides.store). */
  store: KeyValueStore;
}

export type ConsumerDefinition = Pick<
  ConsumerRunnerOptions,
  'groupId' | 'topics' | 'handlers' | 'retry' | 'isTransient' | 'transientBackoff'
>;

export interface ServiceDefinition {
  /** A subgraph's name in the registry (platform/src/registry.ts), which gives its port and database. */
  name: string;
  /** Only for a service the registry does not list (tests): where it listens by default. */
  defaultPort?: number;
  entities: EntitySchema[];
  migrations: OrmOptions['migrations'];
  /** Topics this service publishes to; created up front with the consumed ones. */
  publishes: string[];
  graphql(deps: ServiceDeps): FederatedSchemaOptions | Promise<FederatedSchemaOptions>;
  consumers?(deps: ServiceDeps): ConsumerDefinition[];
  readiness?(deps: ServiceDeps): Record<string, () => Promise<boolean>>;
  /** Runs once the database is migrated, before consumers start (e.g. create search indices). */
  init?(deps: ServiceDeps): Promise<void>;
  /** Background work (sweepers, timers): started after the consumers, stopped before them. */
  jobs?(deps: ServiceDeps): BackgroundJob[];
  /**
   * Adds the service's own metrics to its `/metrics` (e.g. checkout's saga states), typically
   * `metrics.scrapedGauge(...)` reading its database when scraped.
   */
  metrics?(deps: ServiceDeps, metrics: ServiceMetrics): void;
  stop?(): Promise<void>;
}

/**
 * What a subgraph's package exports as `createService` from `@marketplace/<name>/service`: its
 * definition built from an environment. The embedded profile finds every subgraph of the registry
 * through it.
 */
export type ServiceFactory = (env: NodeJS.ProcessEnv) => ServiceDefinition;

export interface ServiceOverrides {
  port?: number;
  dbName?: string;
  /** Suffix for consumer group ids, so parallel test runs do not share offsets. */
  groupSuffix?: string;
  onQuery?: (sql: string) => void;
  relay?: boolean;
  env?: NodeJS.ProcessEnv;
  /** A store the caller owns (the embedded profile's MemoryStore); else a RedisStore on REDIS_URL. */
  store?: KeyValueStore;
  /** What the embedded profile shares between the services of one process. */
  infra?: ServiceInfra;
}

/**
 * The embedded profile's infrastructure: one in-process bus for every service, and each
 * service's database in an embedded Postgres (PGlite) directory instead of a server.
 */
export interface ServiceInfra {
  bus: MessageBus;
  /** The service's PGlite data directory (or `memory://`). */
  pgliteDir: string;
}

export interface RunningService extends ServiceDeps, Drainable {
  server: RunningServer & { sdl: string };
  /** What `GET /metrics` serves. */
  metrics: ServiceMetrics;
  consumers: ConsumerRunner[];
  jobs: BackgroundJob[];
  /** `SHUTDOWN_DRAIN_DELAY_MS` and `SHUTDOWN_GRACE_MS` of its environment. */
  shutdown: ShutdownSettings;
  /**
   * Stops in phases, each logged: the HTTP server answers what is in flight (up to the grace)
   * and closes; jobs finish their run and consumers their current message (offset and inbox
   * committed); the outbox relay publishes what is committed and unsent; then the bus, the
   * database pool, the store, metrics and traces close.
   */
  stop(): Promise<void>;
}

/** A service of the services profile: its bus is Kafka, and tests reach the client under it. */
export interface KafkaService extends RunningService {
  kafka: Kafka;
  producer: Producer;
}

/**
 * Starts one subgraph process of the services profile: its own database on the Postgres
 * server (migrated), the outbox relay, its Kafka consumers and the GraphQL server. Every
 * subgraph's main.ts is a call to this (through `runService`).
 */
export async function startService(
  definition: ServiceDefinition,
  overrides: Omit<ServiceOverrides, 'infra'> = {},
): Promise<KafkaService> {
  const service = await launchService(definition, overrides);
  const bus = service.bus as KafkaBus;
  return {
    ...service,
    kafka: bus.kafka,
    // The bus replaces a producer whose send failed: always hand out the one in use.
    get producer() {
      return bus.producer;
    },
  };
}

/**
 * Starts one subgraph: its own database (migrated), the outbox relay, its consumers and the
 * GraphQL server. Without `infra` it connects to the services profile's Postgres and Kafka;
 * with it, it runs on an embedded Postgres and the process's shared bus.
 */
export async function launchService(
  definition: ServiceDefinition,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  const env = overrides.env ?? process.env;
  const config = loadConfig(env);
  // CONSUMER_GROUP_SUFFIX keeps a second stack on the same broker (an e2e run beside a dev
  // stack) from sharing partitions and offsets with the first.
  const groupSuffix = overrides.groupSuffix ?? env.CONSUMER_GROUP_SUFFIX;
  const logger = createLogger(definition.name);
  // First, so everything after runs with the process's tracer (OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = initTracing(definition.name, { env });
  const metrics = new ServiceMetrics(definition.name);
  const upper = definition.name.toUpperCase();
  const registered = registeredSubgraph(definition.name);
  const defaultPort = definition.defaultPort ?? registered?.port;
  if (defaultPort === undefined && overrides.port === undefined && !env[`${upper}_PORT`]) {
    throw new Error(
      `${definition.name}: not in the subgraph registry (platform/src/registry.ts) and no port given`,
    );
  }
  const orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: overrides.dbName ?? serviceDatabase(definition.name, env),
    entities: definition.entities,
    migrations: definition.migrations,
    onQuery: overrides.onQuery,
    // Thirteen processes share one Postgres (max_connections 100 by default): a stack on one
    // machine lowers this, production sizes it against the server.
    poolMax: intFromEnv('DB_POOL_MAX', 10, env),
    pgliteDir: overrides.infra?.pgliteDir,
  });
  await migrate(orm);

  // The embedded profile's bus belongs to the process; a Kafka bus belongs to this service.
  const ownBus = !overrides.infra;
  const bus = overrides.infra?.bus ?? (await KafkaBus.connect(definition.name, config.kafkaBrokers));
  const relay = new OutboxRelay({ orm, bus, logger: logger.child({ component: 'outbox-relay' }) });
  const ownStore = !overrides.store;
  const store = overrides.store ?? (await RedisStore.connect(config.redisUrl));
  const deps: ServiceDeps = { config, logger, orm, bus, relay, store, pgliteDir: overrides.infra?.pgliteDir };

  await definition.init?.(deps);
  observeOutbox(metrics, orm);
  definition.metrics?.(deps, metrics);
  const consumerDefs = (definition.consumers?.(deps) ?? []).map((c) => ({
    ...c,
    groupId: groupSuffix ? `${c.groupId}.${groupSuffix}` : c.groupId,
  }));
  await bus.ensureTopics([
    ...definition.publishes,
    ...consumerDefs.flatMap((c) => [...c.topics, deadLetterTopic(c.groupId)]),
  ]);
  if (overrides.relay !== false) relay.start();
  const consumers = consumerDefs.map(
    (c) =>
      new ConsumerRunner({
        ...c,
        bus,
        orm,
        logger: logger.child({ consumer: c.groupId }),
        // A handler's outbox rows (replies, follow-up commands) go out as soon as they commit.
        afterCommit: relay.nudge,
        onOutcome: (outcome) => metrics.messageHandled(c.groupId, outcome),
      }),
  );
  // Lag is read from the broker's committed offsets; the embedded bus has no such thing.
  observeConsumerLag(metrics, bus, consumerDefs);
  await Promise.all(consumers.map((c) => c.start()));
  const jobs = definition.jobs?.(deps) ?? [];
  for (const job of jobs) job.start();

  const server = await startSubgraphServer({
    ...(await definition.graphql(deps)),
    name: definition.name,
    port: overrides.port ?? Number(env[`${upper}_PORT`] ?? defaultPort),
    host: env[`${upper}_HOST`] ?? '127.0.0.1',
    orm,
    logger,
    jwtSecret: config.jwtSecret,
    gatewaySecret: config.gatewaySecret,
    metrics,
    readiness: {
      [store instanceof RedisStore ? 'redis' : 'store']: () => store.ping(),
      ...definition.readiness?.(deps),
    },
  });

  const shutdown = shutdownSettings(env);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopInPhases(
      [
        { name: 'http', run: () => server.close({ graceMs: shutdown.graceMs }) },
        // The reverse of their start: jobs, then consumers, then the relay that publishes their rows.
        { name: 'jobs', run: () => Promise.all(jobs.map((j) => j.stop())) },
        { name: 'consumers', run: () => Promise.all(consumers.map((c) => c.stop())) },
        { name: 'outbox relay', run: () => relay.stop() },
        { name: 'service', run: () => definition.stop?.() },
        { name: 'bus', run: () => ownBus && bus.close() },
        // Forced, so a session broken by a database blip cannot hold up shutdown.
        { name: 'database', run: () => orm.close(true) },
        { name: 'store', run: () => ownStore && store.close() },
        {
          name: 'telemetry',
          run: () => Promise.all([metrics.close(), tracing.flush().catch(() => undefined)]),
        },
      ],
      logger,
    );
  return {
    ...deps,
    server,
    metrics,
    consumers,
    jobs,
    shutdown,
    beginDrain: () => server.beginDrain(),
    stop: () => (stopping ??= stop()),
  };
}

/** Entry point helper: starts the service and stops it gracefully on SIGTERM/SIGINT (`stopOnSignals`). */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const service = await startService(definition);
  stopOnSignals(service, { logger: service.logger, settings: service.shutdown });
}

/**
 * The subgraph's SDL without starting it: building the schema only stores the adapters the
 * resolvers will use, it performs no I/O, so no connections are needed. Used by composition.
 */
export async function printServiceSdl(definition: ServiceDefinition): Promise<string> {
  const offline = {} as ServiceDeps;
  const { sdl } = await buildFederatedSchema(await definition.graphql(offline));
  return `${sdl.trim()}\n`;
}
