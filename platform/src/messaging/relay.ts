import type { EntityManager } from '@mikro-orm/postgresql';
import { backoffDelay } from './backoff.js';
import type { MessageBus } from './bus.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../persistence/orm.js';
import { publishSpans } from '../observability/messaging.js';

interface ClaimedRow {
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
 * events of one aggregate in order across relay instances.
 */
const CLAIM_SQL = `
  with claimed as (
    select id, seq, message_key from outbox
    where sent_at is null
    order by seq
    limit ?
    for update skip locked
  )
  select o.id, o.topic, o.message_key, o.event_type, o.event_version,
    o.envelope->>'correlationId' as correlation_id, o.envelope->>'traceparent' as traceparent,
    o.envelope::text as value
  from claimed c join outbox o on o.id = c.id
  where not exists (
    select 1 from outbox earlier
    where earlier.sent_at is null
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

  /** Publishes one batch; returns how many rows were published. */
  async publishBatch(): Promise<number> {
    const { orm, bus, batchSize = DEFAULT_BATCH_SIZE, beforeMark } = this.options;
    const em = orm.em.fork() as EntityManager;
    return em.transactional(async (tx) => {
      const rows = await tx.execute<ClaimedRow[]>(CLAIM_SQL, [batchSize]);
      if (rows.length === 0) return 0;
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
      const ids = rows.map((r) => r.id);
      await beforeMark?.(ids);
      // One array parameter rather than a placeholder per row.
      await tx.execute(
        'update outbox set sent_at = now(), attempts = attempts + 1 where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
      return rows.length;
    });
  }

  /** Publishes until the outbox is empty; for tests and one-shot tools. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.publishBatch(); n > 0; n = await this.publishBatch()) total += n;
    return total;
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

  /** One indexed read outside a transaction: is there any unsent row at all? */
  private async hasUnsent(): Promise<boolean> {
    const rows = await this.options.orm.em
      .fork()
      .execute<unknown[]>('select 1 from outbox where sent_at is null limit 1');
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
