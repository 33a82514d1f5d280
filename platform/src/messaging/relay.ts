import type { EntityManager } from '@mikro-orm/postgresql';
import { backoffDelay } from './backoff.js';
import type { MessageBus } from './bus.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../persistence/orm.js';
import { publishSpans } from '../observability/messaging.js';
import { RELAYABLE } from './outbox.js';
import { classifyPublishFailure, refusalType } from './refusal.js';

export interface ClaimedRow {
  id: string;
  topic: string;
  message_key: string;
  event_type: string;
  event_version: number;
  correlation_id: string;
  /** The envelope's trace context: the producer span's parent. */
  traceparent: string | null;
  /** The envelope as JSON text: published as it is stored, without a parse and re-serialisation. */
  value: string;
}

/*
 * Claims the oldest unsent rows with FOR UPDATE SKIP LOCKED, so several relay instances
 * share the work without handing out a row twice. A claimed row is held back when an
 * earlier unsent row of the same aggregate is locked by another relay: that keeps the
 * events of one aggregate in order across relay instances. Dead rows (refused for good by the
 * bus) and the rows behind them are not claimed at all (`RELAYABLE`): they would otherwise fill
 * the batch every time and starve the other keys.
 */
const CLAIM_SQL = `
  with claimed as (
    select o.id, o.seq, o.message_key from outbox o
    where ${RELAYABLE}
    order by o.seq
    limit ?
    for update skip locked
  )
  select o.id, o.topic, o.message_key, o.event_type, o.event_version,
    o.envelope->>'correlationId' as correlation_id, o.envelope->>'traceparent' as traceparent,
    o.envelope::text as value
  from claimed c join outbox o on o.id = c.id
  where not exists (
    select 1 from outbox earlier
    where earlier.sent_at is null and earlier.discarded_at is null
      and earlier.message_key = c.message_key
      and earlier.seq < c.seq
      and earlier.id not in (select id from claimed)
  )
  order by c.seq`;

const DEFAULT_BATCH_SIZE = 500;

export interface OutboxRelayOptions {
  orm: Orm;
  bus: MessageBus;
  logger: Logger;
  batchSize?: number;
  /** How long to wait before polling again when the outbox was empty. */
  idleDelayMs?: number;
  /** Test hook: runs after the bus accepted a batch and before the rows are marked sent. */
  beforeMark?: (ids: string[]) => Promise<void>;
}

/**
 * Publishes committed outbox rows to the bus, at least once: rows are marked sent only after
 * the bus accepted them durably (on Kafka: every in-sync replica acknowledged them), in the same transaction that claimed them. A relay that
 * dies in between leaves the rows unsent; they are published again and the consumers'
 * inbox drops the duplicate.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A nudge that came while a batch was in flight: poll again at once instead of sleeping. */
  private nudged = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  /**
   * Publishes one batch; returns how many rows it settled (published, or marked dead). A batch the
   * bus refuses for good is published again row by row: only the refused row is marked dead, the
   * others are published and marked sent (see `publishIsolating`). A transient failure rejects;
   * the rows stay unsent and are retried.
   */
  async publishBatch(): Promise<number> {
    const { orm, batchSize = DEFAULT_BATCH_SIZE, beforeMark, logger } = this.options;
    const em = orm.em.fork() as EntityManager;
    let failure: { error: unknown } | undefined;
    const settled = await em.transactional(async (tx) => {
      const rows = await tx.execute<ClaimedRow[]>(CLAIM_SQL, [batchSize]);
      if (rows.length === 0) return 0;
      const outcome = await publishIsolating(rows, (part) => this.publish(part));
      const ids = outcome.sent.map((r) => r.id);
      if (ids.length > 0) {
        await beforeMark?.(ids);
        // One array parameter rather than a placeholder per row.
        await tx.execute(
          'update outbox set sent_at = now(), attempts = attempts + 1 where id = any(?::uuid[])',
          [`{${ids.join(',')}}`],
        );
      }
      for (const { row, error } of outcome.dead) {
        const refusal = refusalType(error) ?? 'refused';
        const reason = `${refusal}: ${error instanceof Error ? error.message : String(error)}`;
        await tx.execute(
          'update outbox set dead_at = now(), attempts = attempts + 1, last_error = ? where id = ?',
          [reason, row.id],
        );
        logger.error(
          {
            err: error,
            outboxId: row.id,
            topic: row.topic,
            eventType: row.event_type,
            eventVersion: row.event_version,
            messageKey: row.message_key,
            correlationId: row.correlation_id,
            refusal,
          },
          'outbox row refused for good by the bus: marked dead; later rows of its key are held back until an operator releases it',
        );
      }
      // The rows settled before a transient failure are committed; the failure is the caller's.
      if (outcome.failure !== undefined) failure = { error: outcome.failure };
      return outcome.sent.length + outcome.dead.length;
    });
    if (failure) throw failure.error;
    return settled;
  }

  /** One bus publish of the rows, grouped by topic, each with its producer span. */
  private async publish(rows: readonly ClaimedRow[]): Promise<void> {
    const { bus } = this.options;
    const byTopic = new Map<string, ClaimedRow[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push(row);
      byTopic.set(row.topic, list);
    }
    // A producer span per message; its context travels as a `traceparent` header.
    const spans = publishSpans(rows.map((row) => ({ ...row, system: bus.kind })));
    const published = bus.publish(
      [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((row) => ({
          key: row.message_key,
          value: row.value,
          headers: {
            // The row id is the envelope id.
            'message-id': row.id,
            'event-type': row.event_type,
            'event-version': String(row.event_version),
            'correlation-id': row.correlation_id,
            ...spans.headers(row.id),
          },
        })),
      })),
    );
    await spans.settle(published);
  }

  /**
   * Publishes until nothing is left to publish; for tests and one-shot tools. A batch comes back
   * empty while rows are left when another relay holds the earlier rows of their key (a claim
   * never jumps ahead of them): then it asks again shortly, until that relay has settled them.
   * Throws when no row could be settled for `stallMs` (another relay holding rows that long).
   */
  async drain(stallMs = 30_000): Promise<number> {
    let total = 0;
    let lastProgress = Date.now();
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n > 0) {
        lastProgress = Date.now();
        continue;
      }
      if (!(await this.hasUnsent())) return total;
      if (Date.now() - lastProgress > stallMs)
        throw new Error(`outbox drain: rows left unsent for ${stallMs} ms, held by another relay`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks a sleeping relay to poll now (called after a local commit to cut latency). */
  readonly nudge = (): void => {
    // A property, not a method: one stable function, so the commit hooks of a nested unit of
    // work (a set) wake the relay once however many transactions asked for it.
    this.nudged = true;
    this.wake?.();
  };

  /**
   * Ends the polling loop after its batch in progress, then, if it was running, publishes once
   * more what is committed and unsent (the last commits of requests and messages finished during
   * the stop), batch after batch until one comes back short. A failed flush only logs: the rows
   * stay in the outbox for the next start, or for another instance's relay.
   */
  async stop(): Promise<void> {
    const wasRunning = this.loop !== undefined;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    if (!wasRunning) return;
    const { batchSize = DEFAULT_BATCH_SIZE, logger } = this.options;
    try {
      let flushed = 0;
      let batch: number;
      do {
        batch = await this.publishBatch();
        flushed += batch;
      } while (batch === batchSize);
      logger.info({ flushed }, 'outbox relay stopped after a last flush');
    } catch (error) {
      logger.warn({ err: error }, 'outbox relay: last flush failed; rows stay unsent for the next start');
    }
  }

  /** One indexed read outside a transaction: is there any row to publish at all? */
  private async hasUnsent(): Promise<boolean> {
    const rows = await this.options.orm.em
      .fork()
      .execute<unknown[]>(`select 1 from outbox o where ${RELAYABLE} limit 1`);
    return rows.length > 0;
  }

  private async run(): Promise<void> {
    const { idleDelayMs = 100, logger } = this.options;
    let failures = 0;
    // The last poll found nothing.
    let idle = false;
    while (this.running) {
      const woken = this.nudged;
      this.nudged = false;
      let published = 0;
      try {
        // A timer wake while idle asks cheaply first: an idle service then costs one read per
        // interval instead of begin + claim + commit. A nudge claims at once.
        if (!idle || woken || failures > 0 || (await this.hasUnsent())) published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures++;
        logger.warn({ err: error, failures }, 'outbox relay batch failed; rows stay unsent and are retried');
      }
      idle = published === 0;
      // A commit that landed during an empty poll nudged us: its rows are there now.
      if (idle && this.running && !(this.nudged && failures === 0)) {
        const delay = failures === 0 ? idleDelayMs : backoffDelay(failures + 1, idleDelayMs, 5_000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}

/** What became of a claimed batch: rows the bus took, rows it refused for good, a failure that may pass. */
export interface PublishOutcome<R> {
  sent: R[];
  dead: { row: R; error: unknown }[];
  /** A transient failure that stopped the batch; the rows neither sent nor dead stay unsent. */
  failure?: unknown;
}

/**
 * Publishes the rows (in outbox order) as one batch. When the bus refuses the batch for good
 * (`classifyPublishFailure`), it publishes them again one by one, so only the row the bus cannot
 * take is told apart: that row is dead, the later rows of its message key are skipped (left
 * unsent, held back behind it: order per aggregate), the other rows are sent. A transient failure
 * of the batch rejects (today's retry with backoff); one during the row-by-row pass ends it with
 * what was settled so far. Rows the failed batch did append come again; inboxes drop them.
 */
export async function publishIsolating<R extends { message_key: string }>(
  rows: readonly R[],
  publish: (rows: readonly R[]) => Promise<void>,
): Promise<PublishOutcome<R>> {
  try {
    await publish(rows);
    return { sent: [...rows], dead: [] };
  } catch (error) {
    if (classifyPublishFailure(error) === 'transient') throw error;
  }
  const outcome: PublishOutcome<R> = { sent: [], dead: [] };
  const deadKeys = new Set<string>();
  for (const row of rows) {
    if (deadKeys.has(row.message_key)) continue;
    try {
      await publish([row]);
      outcome.sent.push(row);
    } catch (error) {
      if (classifyPublishFailure(error) === 'transient') return { ...outcome, failure: error };
      outcome.dead.push({ row, error });
      deadKeys.add(row.message_key);
    }
  }
  return outcome;
}
