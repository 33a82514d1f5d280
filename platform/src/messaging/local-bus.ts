import { createHash } from 'node:crypto';
import { backoffDelay } from './backoff.js';
import {
  DEFAULT_PARTITIONS,
  type BusMessage,
  type PartitionLag,
  type MessageBus,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';

/** The slice of a Postgres client the local bus needs; PGlite's own API fits it as it is. */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: Pick<SqlClient, 'query'>) => Promise<T>): Promise<T>;
}

export interface LocalBusOptions {
  /** The bus's own database (the embedded profile gives it its own PGlite directory). */
  db: SqlClient;
  partitions?: number;
  /** How often an idle partition looks for messages published by another process (none normally). */
  pollIntervalMs?: number;
  /** Messages fetched from a partition at a time. */
  fetchSize?: number;
  /** Wait before delivering a message again after its handler threw. */
  redelivery?: { initialDelayMs: number; maxDelayMs: number };
  /** Told when the bus's own database fails under a partition's loop (which then retries). */
  onError?: (error: unknown, where: { groupId: string; topic: string; partition: number }) => void;
}

const SCHEMA = `
  create table if not exists bus_topic (name text primary key, partitions int not null);
  create table if not exists bus_partition (
    topic text not null references bus_topic(name),
    partition int not null,
    next_offset bigint not null default 0,
    primary key (topic, partition)
  );
  create table if not exists bus_message (
    topic text not null,
    partition int not null,
    "offset" bigint not null,
    key text,
    value text not null,
    headers jsonb not null default '{}',
    published_at timestamptz not null default now(),
    primary key (topic, partition, "offset")
  );
  create table if not exists bus_group_offset (
    group_id text not null,
    topic text not null,
    partition int not null,
    next_offset bigint not null,
    primary key (group_id, topic, partition)
  );`;

/** Which partition a key goes to: a stable hash, so one key always lands on one partition. */
export function partitionFor(key: string | null, partitions: number, roundRobin: number): number {
  if (key === null) return roundRobin % partitions;
  return createHash('sha1').update(key).digest().readUInt32BE(0) % partitions;
}

/**
 * The embedded profile's event bus: Kafka's delivery contract on a durable log in an embedded
 * Postgres of its own, for the subgraphs of one process. A publish is one transaction that
 * appends to the partitions' logs (offsets from a per-partition counter row, so concurrent
 * publishers cannot take the same offset); each subscribed group runs one loop per partition
 * that hands the messages to the handler in offset order and stores the group's next offset
 * after each one. A handler that throws leaves the position where it was: the message comes
 * again after a backoff, before anything later on its partition. Published messages wake the
 * loops of their topics at once; the poll only matters if another process shares the log.
 * Messages are kept, like a topic without retention limit, so a new group can start from the
 * beginning; `.data/` is the embedded profile's to delete.
 */
export class LocalBus implements MessageBus {
  readonly kind = 'local';
  private readonly partitions: number;
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Publishes per topic so far: a loop that read nothing compares it to skip a wait it would miss. */
  private readonly published = new Map<string, number>();
  private readonly groups = new Set<string>();
  private roundRobin = 0;
  private ready?: Promise<void>;

  constructor(private readonly options: LocalBusOptions) {
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
  }

  private init(): Promise<void> {
    this.ready ??= this.options.db.exec(SCHEMA).then(() => undefined);
    return this.ready;
  }

  async ensureTopics(topics: string[]): Promise<void> {
    await this.init();
    await this.options.db.transaction(async (tx) => {
      for (const topic of new Set(topics)) {
        const created = await tx.query(
          'insert into bus_topic (name, partitions) values ($1, $2) on conflict do nothing returning name',
          [topic, this.partitions],
        );
        if (created.rows.length === 0) continue;
        for (let p = 0; p < this.partitions; p++)
          await tx.query('insert into bus_partition (topic, partition) values ($1, $2)', [topic, p]);
      }
    });
  }

  async listTopics(): Promise<string[]> {
    await this.init();
    const topics = await this.options.db.query<{ name: string }>('select name from bus_topic order by name');
    return topics.rows.map((t) => t.name);
  }

  async consumerLag(
    groups: readonly { groupId: string; topics: readonly string[] }[],
  ): Promise<PartitionLag[]> {
    await this.init();
    const lags: PartitionLag[] = [];
    for (const { groupId, topics } of groups) {
      const rows = await this.options.db.query<{ topic: string; partition: number; lag: string }>(
        `select p.topic, p.partition, (p.next_offset - coalesce(g.next_offset, 0))::text as lag
         from bus_partition p
         left join bus_group_offset g on g.group_id = $1 and g.topic = p.topic and g.partition = p.partition
         where p.topic = any($2::text[]) order by p.topic, p.partition`,
        [groupId, [...topics]],
      );
      for (const r of rows.rows)
        lags.push({ groupId, topic: r.topic, partition: r.partition, lag: Number(r.lag) });
    }
    return lags;
  }

  async publish(batches: { topic: string; messages: BusMessage[] }[]): Promise<void> {
    await this.init();
    const touched = new Set<string>();
    await this.options.db.transaction(async (tx) => {
      for (const { topic, messages } of batches) {
        if (messages.length === 0) continue;
        const partitions = await partitionsOf(tx, topic);
        for (const message of messages) {
          const partition = partitionFor(message.key, partitions, this.roundRobin++);
          const taken = await tx.query<{ offset: string }>(
            `update bus_partition set next_offset = next_offset + 1
             where topic = $1 and partition = $2 returning next_offset - 1 as "offset"`,
            [topic, partition],
          );
          await tx.query(
            'insert into bus_message (topic, partition, "offset", key, value, headers) values ($1, $2, $3, $4, $5, $6)',
            [
              topic,
              partition,
              taken.rows[0]!.offset,
              message.key,
              message.value,
              JSON.stringify(message.headers ?? {}),
            ],
          );
        }
        touched.add(topic);
      }
    });
    for (const topic of touched) this.wake(topic);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.init();
    // Kafka would split the partitions between two members of one group; one process needs
    // only one member, and a second is a wiring mistake worth failing on.
    if (this.groups.has(options.groupId)) throw new Error(`group ${options.groupId} is already subscribed`);
    const assigned: { topic: string; partition: number }[] = [];
    for (const topic of options.topics) {
      const partitions = await partitionsOf(this.options.db, topic);
      for (let partition = 0; partition < partitions; partition++) assigned.push({ topic, partition });
    }
    this.groups.add(options.groupId);
    const state: LoopState = { running: true, wakers: new Set() };
    const slots = new Slots(Math.max(1, options.partitionsConsumedConcurrently));
    // consume() handles its own failures; settled anyway, so stop() always leaves the group.
    const loops = assigned.map(({ topic, partition }) =>
      this.consume(options, topic, partition, state, slots),
    );
    return {
      stop: async () => {
        state.running = false;
        for (const wake of state.wakers) wake();
        for (const topic of options.topics) this.wake(topic);
        await Promise.allSettled(loops);
        this.groups.delete(options.groupId);
      },
    };
  }

  async close(): Promise<void> {
    // The database belongs to whoever passed it in; nothing else is held.
  }

  private async consume(
    options: SubscribeOptions,
    topic: string,
    partition: number,
    state: LoopState,
    slots: Slots,
  ): Promise<void> {
    const { db } = this.options;
    const { pollIntervalMs = 1_000, fetchSize = 100 } = this.options;
    const redelivery = this.options.redelivery ?? { initialDelayMs: 100, maxDelayMs: 5_000 };
    let next: string | undefined;
    let failures = 0;
    while (state.running) {
      try {
        next ??= await this.startingOffset(options, topic, partition);
        const seen = this.published.get(topic) ?? 0;
        const batch = await db.query<{
          offset: string;
          key: string | null;
          value: string;
          headers: Record<string, string>;
        }>(
          // Ordered by the bigint column: the text alias would sort "10" before "2".
          `select m."offset"::text as "offset", m.key, m.value, m.headers from bus_message m
           where m.topic = $1 and m.partition = $2 and m."offset" >= $3 order by m."offset" limit $4`,
          [topic, partition, next, fetchSize],
        );
        if (batch.rows.length === 0) {
          await this.waitFor(topic, seen, pollIntervalMs);
          continue;
        }
        for (const row of batch.rows) {
          const release = await slots.acquire();
          if (!state.running) {
            release();
            return;
          }
          let handled = false;
          try {
            await options.eachMessage(
              { topic, partition, offset: row.offset, key: row.key, value: row.value, headers: row.headers },
              async () => {},
            );
            handled = true;
          } catch {
            // Not committed: the same message comes again after a backoff. The handler (the
            // consumer runner) has already logged why.
          } finally {
            release();
          }
          if (!handled) {
            failures += 1;
            await pause(state, backoffDelay(failures, redelivery.initialDelayMs, redelivery.maxDelayMs));
            break;
          }
          failures = 0;
          next = (BigInt(row.offset) + 1n).toString();
          // Lost if this write fails: the message is then delivered again after a restart
          // (at least once), never skipped.
          await db.query(
            `insert into bus_group_offset (group_id, topic, partition, next_offset) values ($1, $2, $3, $4)
             on conflict (group_id, topic, partition) do update set next_offset = excluded.next_offset`,
            [options.groupId, topic, partition, next],
          );
        }
      } catch (error) {
        // The bus's own database failed (a read or a position write): the loop must outlive it,
        // or this partition would stop for good. It reads again from the last known position.
        failures += 1;
        this.options.onError?.(error, { groupId: options.groupId, topic, partition });
        await pause(state, backoffDelay(failures, redelivery.initialDelayMs, redelivery.maxDelayMs));
      }
    }
  }

  private async startingOffset(options: SubscribeOptions, topic: string, partition: number): Promise<string> {
    const { db } = this.options;
    const committed = await db.query<{ next_offset: string }>(
      'select next_offset::text as next_offset from bus_group_offset where group_id = $1 and topic = $2 and partition = $3',
      [options.groupId, topic, partition],
    );
    if (committed.rows[0]) return committed.rows[0].next_offset;
    if (options.fromBeginning) return '0';
    // Only messages published from now on, as a new Kafka group with fromBeginning false.
    const head = await db.query<{ next_offset: string }>(
      'select next_offset::text as next_offset from bus_partition where topic = $1 and partition = $2',
      [topic, partition],
    );
    return head.rows[0]?.next_offset ?? '0';
  }

  private wake(topic: string): void {
    this.published.set(topic, (this.published.get(topic) ?? 0) + 1);
    const waiting = this.waiters.get(topic);
    if (!waiting) return;
    this.waiters.delete(topic);
    for (const resolve of waiting) resolve();
  }

  /** Waits for a publish to `topic` after the `seen`-th, or the poll interval. */
  private waitFor(topic: string, seen: number, timeoutMs: number): Promise<void> {
    if ((this.published.get(topic) ?? 0) !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.waiters.get(topic) ?? new Set<() => void>();
      this.waiters.set(topic, waiting);
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiting.add(done);
    });
  }
}

/** How many partitions `topic` has; a topic never created is an `UnknownTopicError`. */
async function partitionsOf(db: Pick<SqlClient, 'query'>, topic: string): Promise<number> {
  const known = await db.query<{ partitions: number }>('select partitions from bus_topic where name = $1', [
    topic,
  ]);
  const partitions = known.rows[0]?.partitions;
  if (partitions === undefined) throw new UnknownTopicError(topic);
  return partitions;
}

export class UnknownTopicError extends Error {
  readonly code = 'BUS.UNKNOWN_TOPIC';
  constructor(topic: string) {
    super(`topic ${topic} does not exist; services create their topics when they start`);
    this.name = 'UnknownTopicError';
  }
}

interface LoopState {
  running: boolean;
  /** Ends the pauses in progress, so stop() does not wait out a backoff. */
  wakers: Set<() => void>;
}

/** Waits `ms`, or less when the subscription stops meanwhile. */
function pause(state: LoopState, ms: number): Promise<void> {
  if (!state.running) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      state.wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    state.wakers.add(wake);
  });
}

/** At most N partitions of a group handle a message at the same time. */
class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    return () => {
      const nextInLine = this.queue.shift();
      if (nextInLine) nextInLine();
      else this.free += 1;
    };
  }
}
