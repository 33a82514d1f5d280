import { intFromEnv, type ServiceDefinition, type ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { operationsEntities, operationsMigrations } from './adapters/persistence/operations.schema.js';
import { operationsUseCases } from './adapters/persistence/operations-store.js';
import { createOperationsResolvers } from './adapters/graphql/operations.resolver.js';
import { DeadLetterIngest } from './adapters/messaging/dead-letter-ingest.js';
import { rebuildRepliesConsumer } from './adapters/messaging/rebuild-replies.js';

export interface OperationsOptions {
  /** Consumer group suffix, as startService's (CONSUMER_GROUP_SUFFIX): a test stack collects only its own. */
  groupSuffix?: string;
  /** Which topics to collect; default every `*.dlt` (of this suffix), or OPERATIONS_DEAD_LETTER_PATTERN. */
  deadLetterTopics?: (topic: string) => boolean;
  refreshMs?: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The operations subgraph: admin tools over the other services' plumbing. It collects every
 * consumer group's dead-letter topic into its own database, where admins inspect the parked
 * messages and replay (through its outbox) or discard them; and it asks read models' owners to
 * rebuild them (a command per job) and follows their replies.
 */
export function createOperationsService(
  options: OperationsOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ServiceDefinition {
  const suffix = options.groupSuffix ?? env.CONSUMER_GROUP_SUFFIX;
  const pattern = new RegExp(
    env.OPERATIONS_DEAD_LETTER_PATTERN ?? (suffix ? `\\.${escape(suffix)}\\.dlt$` : '\\.dlt$'),
  );
  const kit = operationsUseCases();
  return {
    name: 'operations',
    entities: operationsEntities,
    migrations: operationsMigrations,
    // Rebuild commands; a replay goes back to whichever topic the message failed on (it exists).
    publishes: [Topics.operationsCommands],
    graphql: (deps) => ({
      resolvers: createOperationsResolvers(kit.bind(deps)),
      referenceResolvers: {},
    }),
    consumers: (deps) => [rebuildRepliesConsumer(kit.bind(deps))],
    jobs: ({ bus, orm, logger }) => {
      const ingest = new DeadLetterIngest({
        bus,
        orm,
        logger: logger.child({ component: 'dead-letter-ingest' }),
        groupId: suffix ? `operations.dead-letters.${suffix}` : 'operations.dead-letters',
        matches: options.deadLetterTopics ?? ((topic) => pattern.test(topic)),
        refreshMs: options.refreshMs ?? intFromEnv('OPERATIONS_DEAD_LETTER_REFRESH_MS', 5_000, env),
      });
      return [ingest];
    },
  };
}

export const operationsService = createOperationsService();

export const createService: ServiceFactory = () => createOperationsService();
