import type { Admin, Consumer } from 'kafkajs';
import { backoffDelay } from './backoff.js';
import { connectProducer, createKafka, ensureTopics, type Kafka, type Producer } from './kafka.js';
import {
  DEFAULT_PARTITIONS,
  stringHeaders,
  type BusMessage,
  type PartitionLag,
  type MessageBus,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';

/**
 * The bus on a Kafka cluster: an idempotent producer with one request in flight (order per
 * partition is send order), acks from every in-sync replica, and a consumer group per
 * subscription whose offsets are committed only after the handler resolved.
 */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka';
  private admin?: Promise<Admin>;
  /** A send of the producer in use failed: the next publish starts on a new one. */
  private spoiled = false;
  private replacing?: Promise<void>;
  private closed = false;

  /** Wraps a connected producer (tests hand in their own); `connect` makes both. */
  constructor(
    readonly kafka: Kafka,
    private current: Producer,
    private readonly partitions = DEFAULT_PARTITIONS,
    /** First pause before a consumer stopped by kafkajs is replaced; it doubles up to 30 s. */
    private readonly restartDelayMs = 1_000,
    private readonly newProducer: (kafka: Kafka) => Promise<Producer> = connectProducer,
  ) {}

  /** The producer publishes go through now (a failed send replaces it). */
  get producer(): Producer {
    return this.current;
  }

  static async connect(
    clientId: string,
    brokers: string[],
    partitions = DEFAULT_PARTITIONS,
  ): Promise<KafkaBus> {
    const kafka = createKafka(clientId, brokers);
    return new KafkaBus(kafka, await connectProducer(kafka), partitions);
  }

  ensureTopics(topics: string[]): Promise<void> {
    return ensureTopics(this.kafka, topics, this.partitions);
  }

  async listTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * From the groups' committed offsets and the partitions' high watermarks; a partition the
   * group never committed on counts from its low watermark. One admin client, kept for scrapes.
   */
  async consumerLag(
    groups: readonly { groupId: string; topics: readonly string[] }[],
  ): Promise<PartitionLag[]> {
    this.admin ??= (async () => {
      const client = this.kafka.admin();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    const admin = await this.admin;
    const topics = [...new Set(groups.flatMap((g) => g.topics))];
    const marks = new Map(
      await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
    );
    const lags: PartitionLag[] = [];
    for (const { groupId, topics: mine } of groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...mine] })) {
        for (const { partition, offset } of partitions) {
          const mark = marks.get(topic)?.find((p) => p.partition === partition);
          if (!mark) continue;
          lags.push({ groupId, topic, partition, lag: consumerLag(offset, mark.high, mark.low) });
        }
      }
    }
    return lags;
  }

  /**
   * One request for every topic's messages. A producer whose send failed is never used again:
   * kafkajs takes back the sequence numbers of the whole failed request, also those of the
   * partitions the broker did append to (one partition refused while the others took theirs: a
   * broker restarting, a timeout), so its next batch for such a partition is answered
   * OUT_OF_ORDER_SEQUENCE_NUMBER, and every one after it, for good; the outbox would stop
   * flowing. A new producer has a new producer id whose sequences start again. What the failed
   * request did append is published again by the relay's retry; consumers' inboxes drop it.
   */
  async publish(batches: { topic: string; messages: BusMessage[] }[]): Promise<void> {
    if (batches.every((b) => b.messages.length === 0)) return;
    if (this.closed) throw new Error('the Kafka bus is closed');
    while (this.spoiled) await this.replaceProducer();
    const producer = this.current;
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: batches.map(({ topic, messages }) => ({
          topic,
          messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        })),
      });
    } catch (error) {
      if (producer === this.current) this.spoiled = true;
      throw error;
    }
  }

  /**
   * Connects a new producer (one at a time however many publishes wait for it), then lets the old
   * one go without waiting; if the broker is away, the next publish tries again.
   */
  private replaceProducer(): Promise<void> {
    this.replacing ??= (async () => {
      const fresh = await this.newProducer(this.kafka);
      if (this.closed) {
        await fresh.disconnect().catch(() => undefined);
        throw new Error('the Kafka bus is closed');
      }
      const old = this.current;
      this.current = fresh;
      this.spoiled = false;
      void old.disconnect().catch(() => undefined);
    })().finally(() => (this.replacing = undefined));
    return this.replacing;
  }

  /**
   * One consumer group member for the subscription. kafkajs restarts a crashed consumer only
   * after failures it calls retriable; others (a group coordinator not found while a restarted
   * broker loads its offsets, an unknown server error) stop it for good, and the service would
   * go on without ever reading its topics again. Such a crash is followed here by a new member
   * for the same group after a growing pause (uncommitted messages are delivered again), until
   * `stop()`. A failure of the first start is the caller's.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    let stopped = false;
    /** The newest member, from the moment it is made: crashes of older ones are not acted on. */
    let current: Consumer | undefined;
    let pending: NodeJS.Timeout | undefined;
    let restarting: Promise<void> | undefined;
    let crashes = 0;

    const start = () =>
      this.startConsumer(options, {
        made: (consumer) => (current = consumer),
        // A crash while the member is still joining (a restart meeting a broker that is
        // loading) counts as well: the member it was is replaced like any other.
        crashed: (consumer, willRestart) => {
          if (!willRestart && !stopped && consumer === current && !pending) restartLater();
        },
        joined: () => (crashes = 0),
      });
    const restartLater = () => {
      crashes += 1;
      pending = setTimeout(
        () => {
          pending = undefined;
          restarting = (async () => {
            await current?.disconnect().catch(() => undefined);
            if (stopped) return;
            try {
              await start();
            } catch {
              if (!stopped && !pending) restartLater();
            }
            if (stopped) await current?.disconnect().catch(() => undefined);
          })().finally(() => (restarting = undefined));
        },
        backoffDelay(crashes, this.restartDelayMs, 30_000),
      );
    };

    try {
      await start();
    } catch (error) {
      // The caller learns the subscription failed: nothing may start behind its back.
      stopped = true;
      clearTimeout(pending);
      throw error;
    }
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(pending);
        pending = undefined;
        await restarting;
        await current?.disconnect();
      },
    };
  }

  private async startConsumer(
    options: SubscribeOptions,
    on: {
      made: (consumer: Consumer) => void;
      crashed: (consumer: Consumer, willRestart: boolean) => void;
      joined: () => void;
    },
  ): Promise<Consumer> {
    const consumer: Consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    on.made(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => on.crashed(consumer, payload.restart));
    consumer.on(consumer.events.GROUP_JOIN, on.joined);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
    } catch (error) {
      // An unknown topic, a broker away: the connected consumer would be left behind.
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    await consumer.run({
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      // A throwing handler leaves the offset uncommitted: kafkajs seeks back and redelivers.
      eachMessage: ({ topic, partition, message, heartbeat }) =>
        options.eachMessage(
          {
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            headers: stringHeaders(message.headers),
          },
          heartbeat,
        ),
    });
    return consumer;
  }

  async close(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect();
    this.closed = true;
    await this.replacing?.catch(() => undefined);
    await this.current.disconnect();
  }
}

/** Lag of one partition from Kafka's offset strings; a committed offset of -1 means "none yet". */
export function consumerLag(committed: string, high: string, low: string): number {
  const from = Number(committed) >= 0 ? Number(committed) : Number(low);
  return Math.max(0, Number(high) - from);
}
