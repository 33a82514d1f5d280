import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelay } from './backoff.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  contractKey,
  deadLetterTopic,
  listContracts,
  validateEnvelope,
  type EventEnvelope,
} from '@marketplace/event-contracts';
import type { Logger } from '../logger.js';
import type { Orm } from '../persistence/orm.js';

/** Handles one event inside the transaction that also records it in the inbox. */
export type EventHandler = (envelope: EventEnvelope, em: EntityManager) => Promise<void>;

/**
 * One handler for every contract published on `topic` (or only its `version`), for consumers
 * that treat all of a topic's events alike (projections, cache invalidation).
 */
export function handlersForTopic(
  topic: string,
  handler: EventHandler,
  version?: number,
): Record<string, EventHandler> {
  return Object.fromEntries(
    listContracts()
      .filter((c) => c.topic === topic && (version === undefined || c.version === version))
      .map((c) => [contractKey(c.type, c.version), handler]),
  );
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  orm: Orm;
  /** Dead-letter messages are published with this producer. */
  producer: Producer;
  logger: Logger;
  groupId: string;
  topics: string[];
  /** Keyed by contract, e.g. `products.product-created@1`; other events on the topics are skipped. */
  handlers: Record<string, EventHandler>;
  retry?: Partial<RetryPolicy>;
  fromBeginning?: boolean;
}

export type Outcome = 'processed' | 'duplicate' | 'skipped' | 'dead-lettered';

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 100, maxDelayMs: 2_000 };

/** Failures that retrying cannot fix: they go to the dead-letter topic at once. */
class PermanentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a Kafka consumer group with the platform's delivery guarantees:
 * - idempotent: the message id goes into the inbox table in the same transaction as the
 *   handler's effect, so a redelivered message has no second effect;
 * - contracts: every message is validated against its versioned schema before handling;
 * - poison messages: after bounded retries with exponential backoff a message goes to the
 *   group's dead-letter topic with the reason, and the partition moves on.
 */
export class ConsumerRunner {
  private consumer?: Consumer;
  private readonly retry: RetryPolicy;
  readonly deadLetterTopic: string;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.deadLetterTopic = deadLetterTopic(options.groupId);
  }

  async start(): Promise<void> {
    const { kafka, groupId, topics, fromBeginning = true } = this.options;
    const worstCaseRetryMs = this.retry.attempts * this.retry.maxDelayMs;
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: Math.max(30_000, worstCaseRetryMs * 2),
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await this.handle(topic, partition, message, heartbeat);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /** Processes one raw message; exposed for tests that drive the runner without a broker loop. */
  async handle(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void> = async () => {},
  ): Promise<Outcome> {
    const { logger, groupId } = this.options;
    let envelope: EventEnvelope;
    try {
      envelope = this.decode(message);
    } catch (error) {
      const failure = error as PermanentFailure;
      await this.deadLetter(topic, partition, message, failure.code, failure.message, 0);
      return 'dead-lettered';
    }
    const handler = this.options.handlers[contractKey(envelope.type, envelope.version)];
    if (!handler) return 'skipped';

    const log = logger.child({
      correlationId: envelope.correlationId,
      messageId: envelope.id,
      type: envelope.type,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyOnce(envelope, handler);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const code = (error as { code?: unknown }).code;
        if (attempt >= this.retry.attempts) {
          log.error({ err: error, attempt }, 'message failed after retries; dead-lettering it');
          await this.deadLetter(
            topic,
            partition,
            message,
            typeof code === 'string' ? code : 'HANDLER.FAILED',
            reason,
            attempt,
          );
          return 'dead-lettered';
        }
        const delay = backoffDelay(attempt, this.retry.initialDelayMs, this.retry.maxDelayMs);
        log.warn({ err: error, attempt, delay, groupId }, 'handler failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        await heartbeat();
      }
    }
  }

  private decode(message: KafkaMessage): EventEnvelope {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new PermanentFailure('CONTRACT.MALFORMED_JSON', 'message value is not JSON');
    }
    const checked = validateEnvelope(parsed);
    if (!checked.ok) throw new PermanentFailure(checked.error.code, checked.error.message);
    return checked.value;
  }

  private async applyOnce(envelope: EventEnvelope, handler: EventHandler): Promise<Outcome> {
    const em = this.options.orm.em.fork() as EntityManager;
    return em.transactional(async (tx) => {
      const inserted = await tx.execute<{ message_id: string }[]>(
        `insert into inbox (consumer, message_id, event_type) values (?, ?, ?)
         on conflict do nothing returning message_id`,
        [this.options.groupId, envelope.id, envelope.type],
      );
      if (inserted.length === 0) return 'duplicate';
      await handler(envelope, tx);
      return 'processed';
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: string,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await this.options.producer.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlt-code': code,
            'dlt-reason': reason.slice(0, 2_000),
            'dlt-consumer-group': this.options.groupId,
            'dlt-original-topic': topic,
            'dlt-original-partition': String(partition),
            'dlt-original-offset': message.offset,
            'dlt-attempts': String(attempts),
            'dlt-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
  }
}
