import type { EntityManager } from '@mikro-orm/postgresql';
import { backoffDelay } from './backoff.js';
import type { Producer } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { Orm } from '../persistence/orm.js';
import type { EventEnvelope } from '@marketplace/event-contracts';

interface ClaimedRow {
  id: string;
  topic: string;
  message_key: string;
  envelope: EventEnvelope;
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
  select o.id, o.topic, o.message_key, o.envelope
  from claimed c join outbox o on o.id = c.id
  where not exists (
    select 1 from outbox earlier
    where earlier.sent_at is null
      and earlier.message_key = c.message_key
      and earlier.seq < c.seq
      and earlier.id not in (select id from claimed)
  )
  order by c.seq`;

export interface OutboxRelayOptions {
  orm: Orm;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  /** How long to wait before polling again when the outbox was empty. */
  idleDelayMs?: number;
  /** Test hook: runs after Kafka acknowledged a batch and before the rows are marked sent. */
  beforeMark?: (ids: string[]) => Promise<void>;
}

/**
 * Publishes committed outbox rows to Kafka, at least once: rows are marked sent only after
 * every replica acknowledged them, in the same transaction that claimed them. A relay that
 * dies in between leaves the rows unsent; they are published again and the consumers'
 * inbox drops the duplicate.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: OutboxRelayOptions) {}

  /** Publishes one batch; returns how many rows were published. */
  async publishBatch(): Promise<number> {
    const { orm, producer, batchSize = 500, beforeMark } = this.options;
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
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((row) => ({
            key: row.message_key,
            value: JSON.stringify(row.envelope),
            headers: {
              'message-id': row.envelope.id,
              'event-type': row.envelope.type,
              'event-version': String(row.envelope.version),
              'correlation-id': row.envelope.correlationId,
            },
          })),
        })),
      });
      const ids = rows.map((r) => r.id);
      await beforeMark?.(ids);
      await tx.execute('update outbox set sent_at = now(), attempts = attempts + 1 where id in (?)', [ids]);
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
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { idleDelayMs = 100, logger } = this.options;
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures++;
        logger.warn({ err: error, failures }, 'outbox relay batch failed; rows stay unsent and are retried');
      }
      if (published === 0 && this.running) {
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
