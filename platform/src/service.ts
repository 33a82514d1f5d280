import type { EntitySchema } from '@mikro-orm/core';
import { Redis } from 'ioredis';
import { deadLetterTopic } from '@marketplace/event-contracts';
import { loadConfig, type PlatformConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createOrm, migrate, type Orm, type OrmOptions } from './persistence/orm.js';
import { connectProducer, createKafka, ensureTopics, type Kafka, type Producer } from './messaging/kafka.js';
import { OutboxRelay } from './messaging/relay.js';
import { ConsumerRunner, type ConsumerRunnerOptions } from './messaging/consumer.js';
import { startSubgraphServer } from './graphql/subgraph.js';
import { buildFederatedSchema, type FederatedSchemaOptions } from './graphql/federation.js';
import type { RunningServer } from './http/server.js';
import type { BackgroundJob } from './jobs.js';

/** What a subgraph's composition root gets to wire its adapters. */
export interface ServiceDeps {
  config: PlatformConfig;
  logger: Logger;
  orm: Orm;
  kafka: Kafka;
  producer: Producer;
  relay: OutboxRelay;
  redis: Redis;
}

export type ConsumerDefinition = Pick<ConsumerRunnerOptions, 'groupId' | 'topics' | 'handlers' | 'retry'>;

export interface ServiceDefinition {
  name: string;
  defaultPort: number;
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
  stop?(): Promise<void>;
}

export interface ServiceOverrides {
  port?: number;
  dbName?: string;
  /** Suffix for consumer group ids, so parallel test runs do not share offsets. */
  groupSuffix?: string;
  onQuery?: (sql: string) => void;
  relay?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface RunningService extends ServiceDeps {
  server: RunningServer & { sdl: string };
  consumers: ConsumerRunner[];
  jobs: BackgroundJob[];
  stop(): Promise<void>;
}

/**
 * Starts one subgraph process: its own database (migrated), the outbox relay, its Kafka
 * consumers and the GraphQL server. Every subgraph's main.ts is a call to this.
 */
export async function startService(
  definition: ServiceDefinition,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  const env = overrides.env ?? process.env;
  const config = loadConfig(env);
  // CONSUMER_GROUP_SUFFIX keeps a second stack on the same broker (an e2e run beside a dev
  // stack) from sharing partitions and offsets with the first.
  const groupSuffix = overrides.groupSuffix ?? env.CONSUMER_GROUP_SUFFIX;
  const logger = createLogger(definition.name);
  const upper = definition.name.toUpperCase();
  const orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: overrides.dbName ?? env[`${upper}_DB`] ?? `mp_${definition.name}`,
    entities: definition.entities,
    migrations: definition.migrations,
    onQuery: overrides.onQuery,
  });
  await migrate(orm);

  const kafka = createKafka(definition.name, config.kafkaBrokers);
  const producer = await connectProducer(kafka);
  const relay = new OutboxRelay({ orm, producer, logger: logger.child({ component: 'outbox-relay' }) });
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  const deps: ServiceDeps = { config, logger, orm, kafka, producer, relay, redis };

  await definition.init?.(deps);
  const consumerDefs = (definition.consumers?.(deps) ?? []).map((c) => ({
    ...c,
    groupId: groupSuffix ? `${c.groupId}.${groupSuffix}` : c.groupId,
  }));
  await ensureTopics(kafka, [
    ...definition.publishes,
    ...consumerDefs.flatMap((c) => [...c.topics, deadLetterTopic(c.groupId)]),
  ]);
  if (overrides.relay !== false) relay.start();
  const consumers = consumerDefs.map(
    (c) => new ConsumerRunner({ ...c, kafka, orm, producer, logger: logger.child({ consumer: c.groupId }) }),
  );
  await Promise.all(consumers.map((c) => c.start()));
  const jobs = definition.jobs?.(deps) ?? [];
  for (const job of jobs) job.start();

  const server = await startSubgraphServer({
    ...(await definition.graphql(deps)),
    name: definition.name,
    port: overrides.port ?? Number(env[`${upper}_PORT`] ?? definition.defaultPort),
    host: env[`${upper}_HOST`] ?? '127.0.0.1',
    orm,
    logger,
    jwtSecret: config.jwtSecret,
    gatewaySecret: config.gatewaySecret,
    readiness: {
      redis: async () => (await redis.ping()) === 'PONG',
      ...definition.readiness?.(deps),
    },
  });

  let stopped = false;
  return {
    ...deps,
    server,
    consumers,
    jobs,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await Promise.all(jobs.map((j) => j.stop()));
      await Promise.all(consumers.map((c) => c.stop()));
      await relay.stop();
      await definition.stop?.();
      await producer.disconnect();
      // Forced, so a session broken by a database blip cannot hold up shutdown.
      await orm.close(true);
      redis.disconnect();
    },
  };
}

/** Entry point helper: starts the service and stops it cleanly on SIGINT/SIGTERM. */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const service = await startService(definition);
  const shutdown = async (signal: string) => {
    service.logger.info({ signal }, 'shutting down');
    await service.stop().catch((error: unknown) => service.logger.error({ err: error }, 'shutdown failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
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
