import { backoffDelay } from './backoff.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  contractKey,
  deadLetterTopic,
  isKnownContract,
  listContracts,
  validateEnvelope,
  type EventEnvelope,
} from '@marketplace/event-contracts';
import type { Logger } from '../logger.js';
import type { Orm } from '../persistence/orm.js';
import { consumeInSpan } from '../observability/messaging.js';
import { afterCommit, withCommitScope } from '../persistence/commit-scope.js';
import { SpanStatusCode } from '../observability/tracing.js';
import { stringHeaders, type MessageBus, type RawHeaders, type Subscription } from './bus.js';

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

/**
 * A failure that means "not now" rather than "never": a dependency is away or overloaded, or
 * the database aborted the transaction to break a deadlock. Throw it (or a subclass) from a
 * handler and the runner rolls the transaction back and tries again later, without limit and
 * without dead-lettering the message (see `ConsumerRunner`).
 */
export class TransientError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'TransientError';
  }
}

/**
 * A use case refused the message (a rejected `Result`), the one rule for rejections in consumers
 * (see `UseCaseKit.on`): `retryable` ones may pass later (an event that overtook the one it
 * depends on) and are retried with backoff before they are dead-lettered; the others cannot
 * change on retry and go to the dead-letter topic at once, with the rejection's code.
 */
export class RejectedMessage extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RejectedMessage';
  }
}

/** Postgres aborted the transaction only because of concurrency: deadlock, serialization failure. */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001']);

/**
 * True for failures worth waiting out: a `TransientError`, a Postgres deadlock (40P01) or
 * serialization failure (40001) — MikroORM keeps the driver's `code` on its exceptions — or
 * whatever the consumer's own `isTransient` recognises.
 */
export function isTransientFailure(error: unknown, isTransient?: (error: unknown) => boolean): boolean {
  if (error instanceof TransientError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_SQLSTATES.has(code)) return true;
  return isTransient?.(error) ?? false;
}

/** Thrown by `handle()` when the runner stops while a message waits out a transient failure. */
export class ConsumerStoppingError extends Error {
  readonly code = 'CONSUMER.STOPPING';
  constructor(groupId: string) {
    super(`consumer ${groupId} is stopping; the message stays uncommitted and is redelivered`);
    this.name = 'ConsumerStoppingError';
  }
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** A message as the runner handles it: from the bus, or built by a test (buffers allowed). */
export interface RawMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  offset: string;
  headers?: RawHeaders;
}

export interface ConsumerRunnerOptions {
  /** Where the messages come from, and where dead letters go. */
  bus: MessageBus;
  orm: Orm;
  logger: Logger;
  groupId: string;
  topics: string[];
  /** Keyed by contract, e.g. `products.product-created@1`; other events on the topics are skipped. */
  handlers: Record<string, EventHandler>;
  retry?: Partial<RetryPolicy>;
  /**
   * Recognises the consumer's own "not now" failures (e.g. search's `IndexUnavailableError`)
   * besides `TransientError` and Postgres 40P01/40001.
   */
  isTransient?: (error: unknown) => boolean;
  /** Waits between attempts after a transient failure: doubling from `initialDelayMs` to `maxDelayMs`. */
  transientBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  fromBeginning?: boolean;
  /**
   * Runs after a handler's transaction committed (the service nudges its outbox relay here):
   * outbox rows a handler wrote become visible only then, so a nudge from inside the handler
   * would find nothing and the reply would wait for the relay's next idle poll.
   */
  afterCommit?: () => void;
  /**
   * Partitions handled at the same time; each partition's messages stay in order. Default 2:
   * each one holds a database connection for its transaction, from the service's pool of 10
   * (5 in test stacks) that the outbox relay and the HTTP requests share, and more concurrent
   * transactions on the same rows mean more deadlocks.
   */
  partitionsConsumedConcurrently?: number;
  /** Told how each message ended (`startService` counts them, and dead letters, in its metrics). */
  onOutcome?: (outcome: Outcome) => void;
}

export type Outcome = 'processed' | 'duplicate' | 'skipped' | 'dead-lettered';

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 100, maxDelayMs: 2_000 };
const DEFAULT_TRANSIENT_BACKOFF = { initialDelayMs: 200, maxDelayMs: 5_000 };
export const DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY = 2;

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
 *   group's dead-letter topic with the reason, and the partition moves on;
 * - transient failures (`isTransientFailure`) are waited out instead: the transaction is rolled
 *   back first (releasing its locks, its inbox row and its pooled connection), the partition
 *   waits with capped backoff while heartbeating so the member keeps its place in the group,
 *   and the attempt does not count toward the dead-letter limit. Only `stop()` ends the wait,
 *   without committing the offset, so the message is redelivered.
 */
export class ConsumerRunner {
  private subscription?: Subscription;
  private readonly retry: RetryPolicy;
  private readonly transientBackoff: { initialDelayMs: number; maxDelayMs: number };
  private stopping = false;
  /** Wakes the waits in progress, so `stop()` does not sit behind a transient backoff. */
  private readonly wakeups = new Set<() => void>();
  readonly deadLetterTopic: string;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.transientBackoff = {
      initialDelayMs: options.transientBackoff?.initialDelayMs ?? DEFAULT_TRANSIENT_BACKOFF.initialDelayMs,
      maxDelayMs: options.transientBackoff?.maxDelayMs ?? DEFAULT_TRANSIENT_BACKOFF.maxDelayMs,
    };
    this.deadLetterTopic = deadLetterTopic(options.groupId);
    // A misspelled key would never match a message: fail at start-up rather than skip forever.
    const unknown = Object.keys(options.handlers).filter((key) => {
      const at = key.lastIndexOf('@');
      return at <= 0 || !isKnownContract(key.slice(0, at), Number(key.slice(at + 1)));
    });
    if (unknown.length > 0)
      throw new Error(`consumer ${options.groupId} handles unknown contracts: ${unknown.join(', ')}`);
  }

  async start(): Promise<void> {
    const { bus, groupId, topics, fromBeginning = true } = this.options;
    this.stopping = false;
    const worstCaseRetryMs = this.retry.attempts * this.retry.maxDelayMs;
    this.subscription = await bus.subscribe({
      groupId,
      topics,
      fromBeginning,
      sessionTimeoutMs: Math.max(30_000, worstCaseRetryMs * 2),
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
      // Throwing (ConsumerStoppingError) leaves the message uncommitted: it is redelivered.
      eachMessage: async (message, heartbeat) => {
        await this.handle(message.topic, message.partition, message, heartbeat);
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeups) wake();
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Processes one raw message; exposed for tests that drive the runner without a broker loop. */
  async handle(
    topic: string,
    partition: number,
    message: RawMessage,
    heartbeat: () => Promise<void> = async () => {},
  ): Promise<Outcome> {
    const { groupId } = this.options;
    let envelope: EventEnvelope;
    try {
      envelope = this.decode(message);
    } catch (error) {
      const failure = error as PermanentFailure;
      await this.deadLetter(topic, partition, message, failure.code, failure.message, 0);
      return this.counted('dead-lettered');
    }
    const handler = this.options.handlers[contractKey(envelope.type, envelope.version)];
    if (!handler) return this.counted('skipped');

    // Handled in the message's trace and under its correlation id (see consumeInSpan): the
    // handler's log lines carry both, and the outbox rows it writes continue the same trace.
    const outcome = await consumeInSpan(
      { system: this.options.bus.kind, topic, groupId, envelope, headers: message.headers },
      async (span) => {
        const result = await this.attempt(topic, partition, message, envelope, handler, heartbeat);
        if (result === 'dead-lettered')
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead-lettered' });
        return result;
      },
    );
    return this.counted(outcome);
  }

  private counted(outcome: Outcome): Outcome {
    this.options.onOutcome?.(outcome);
    return outcome;
  }

  /** Applies the handler, retrying it or waiting out transient failures; dead-letters the message in the end. */
  private async attempt(
    topic: string,
    partition: number,
    message: RawMessage,
    envelope: EventEnvelope,
    handler: EventHandler,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const { logger, groupId } = this.options;
    // The correlation id comes from the async context (logger mixin), not a binding.
    const log = logger.child({
      messageId: envelope.id,
      type: envelope.type,
    });
    // `attempt` counts only failures that can dead-letter; `waits` counts transient ones.
    for (let attempt = 1, waits = 0; ;) {
      try {
        return await this.applyOnce(envelope, handler);
      } catch (error) {
        if (isTransientFailure(error, this.options.isTransient)) {
          // applyOnce's transaction is already rolled back: nothing is held while we wait.
          waits += 1;
          if (this.stopping) throw new ConsumerStoppingError(groupId);
          const { initialDelayMs, maxDelayMs } = this.transientBackoff;
          const delay = backoffDelay(waits, initialDelayMs, maxDelayMs);
          if (waits === 1 || waits % 10 === 0)
            log.warn({ err: error, waits, delay, groupId }, 'transient failure; waiting to try again');
          await this.sleep(delay);
          if (this.stopping) throw new ConsumerStoppingError(groupId);
          await heartbeat();
          continue;
        }
        const reason = error instanceof Error ? error.message : String(error);
        const code = (error as { code?: unknown }).code;
        const final = error instanceof RejectedMessage && !error.retryable;
        if (final || attempt >= this.retry.attempts) {
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
        attempt += 1;
      }
    }
  }

  /** Waits `ms`, or less when `stop()` is called meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  private decode(message: RawMessage): EventEnvelope {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value?.toString() ?? '');
    } catch {
      throw new PermanentFailure('CONTRACT.MALFORMED_JSON', 'message value is not JSON');
    }
    const checked = validateEnvelope(parsed);
    if (!checked.ok) throw new PermanentFailure(checked.error.code, checked.error.message);
    return checked.value;
  }

  private async applyOnce(envelope: EventEnvelope, handler: EventHandler): Promise<Outcome> {
    const em = this.options.orm.em.fork() as EntityManager;
    // The outermost commit: hooks the handler's use cases registered (the relay's nudge, cache
    // invalidation) run once, after the inbox row and the effect are committed together.
    return withCommitScope(
      () =>
        em.transactional(async (tx): Promise<Outcome> => {
          const inserted = await tx.execute<{ message_id: string }[]>(
            `insert into inbox (consumer, message_id, event_type) values (?, ?, ?)
             on conflict do nothing returning message_id`,
            [this.options.groupId, envelope.id, envelope.type],
          );
          if (inserted.length === 0) return 'duplicate';
          await handler(envelope, tx);
          if (this.options.afterCommit) void afterCommit(this.options.afterCommit);
          return 'processed';
        }),
      (outcome) => outcome === 'processed',
      (error) => this.options.logger.warn({ err: error }, 'commit hook failed'),
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: RawMessage,
    code: string,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await this.options.bus.publish([
      {
        topic: this.deadLetterTopic,
        messages: [
          {
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? '',
            headers: {
              ...stringHeaders(message.headers),
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
      },
    ]);
  }
}
