import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Kafka, Producer } from './kafka.js';
import { KafkaBus } from './kafka-bus.js';
import type { SubscribeOptions } from './bus.js';

/**
 * The subscription's answer to kafkajs giving up on a consumer. kafkajs reports every crash
 * with `restart` telling whether it starts the consumer again itself; these tests play the
 * crash events a broker restart can cause, on a stand-in for kafkajs's consumer (no broker can
 * be made to answer "coordinator not found" on demand).
 */

const EVENTS = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' } as const;

class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  connected = false;
  running = false;
  subscribedTo: string[] = [];
  failSubscribe = false;
  /** Crashes while joining, as kafkajs's run() does when the coordinator cannot be found. */
  crashOnJoin = false;
  async connect() {
    this.connected = true;
  }
  async subscribe({ topics }: { topics: string[] }) {
    if (this.failSubscribe) throw new Error('broker away');
    this.subscribedTo = topics;
  }
  async run() {
    if (this.crashOnJoin) return this.crash(false);
    this.running = true;
    this.emit(EVENTS.GROUP_JOIN, { payload: {} });
  }
  async disconnect() {
    this.connected = false;
    this.running = false;
  }
  crash(restart: boolean) {
    // kafkajs disconnects a crashed consumer before it reports the crash.
    this.running = false;
    this.emit(EVENTS.CRASH, { payload: { error: new Error('KafkaJSGroupCoordinatorNotFound'), restart } });
  }
}

const options: SubscribeOptions = {
  groupId: 'orders.checkout-commands',
  topics: ['checkout.commands'],
  fromBeginning: true,
  partitionsConsumedConcurrently: 1,
  sessionTimeoutMs: 30_000,
  eachMessage: async () => undefined,
};

describe('KafkaBus subscription when kafkajs stops a consumer', () => {
  let made: FakeConsumer[];
  let nextFailsSubscribe: boolean;
  let nextCrashesOnJoin: boolean;
  let bus: KafkaBus;

  beforeEach(() => {
    jest.useFakeTimers();
    made = [];
    nextFailsSubscribe = false;
    nextCrashesOnJoin = false;
    const kafka = {
      consumer: () => {
        const consumer = new FakeConsumer();
        consumer.failSubscribe = nextFailsSubscribe;
        consumer.crashOnJoin = nextCrashesOnJoin;
        made.push(consumer);
        return consumer;
      },
    } as unknown as Kafka;
    bus = new KafkaBus(kafka, {} as Producer, 3, 1_000);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts a new member for the group after a crash kafkajs does not restart', async () => {
    const subscription = await bus.subscribe(options);
    expect(made).toHaveLength(1);
    made[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(999);
    expect(made).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(2);
    expect(made[1]!.running).toBe(true);
    expect(made[1]!.subscribedTo).toEqual(['checkout.commands']);
    expect(made[0]!.connected).toBe(false);
    await subscription.stop();
    expect(made[1]!.connected).toBe(false);
  });

  it('leaves crashes kafkajs restarts itself to kafkajs', async () => {
    const subscription = await bus.subscribe(options);
    made[0]!.crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
    await subscription.stop();
  });

  it('keeps trying, with growing pauses, while the broker is away', async () => {
    const subscription = await bus.subscribe(options);
    nextFailsSubscribe = true;
    made[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(1_000); // first try: 1 s
    expect(made).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1_999); // second try after 2 s
    expect(made).toHaveLength(2);
    nextFailsSubscribe = false;
    await jest.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(3);
    expect(made[1]!.connected).toBe(false);
    expect(made[2]!.running).toBe(true);
    // Joined again: the next crash waits the first pause only.
    made[2]!.crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toHaveLength(4);
    await subscription.stop();
  });

  it('replaces a new member that crashes while it joins (the broker still loading)', async () => {
    const subscription = await bus.subscribe(options);
    nextCrashesOnJoin = true;
    made[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toHaveLength(2);
    expect(made[1]!.running).toBe(false);
    nextCrashesOnJoin = false;
    await jest.advanceTimersByTimeAsync(2_000);
    expect(made).toHaveLength(3);
    expect(made[2]!.running).toBe(true);
    // A late crash report from a member already replaced changes nothing.
    made[1]!.crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(3);
    await subscription.stop();
    expect(made[2]!.connected).toBe(false);
  });

  it('fails the subscription, and starts nothing later, when the first member cannot start', async () => {
    nextFailsSubscribe = true;
    await expect(bus.subscribe(options)).rejects.toThrow('broker away');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
    expect(made[0]!.connected).toBe(false);
  });

  it('starts nothing more once a crash during the first join was followed by stop', async () => {
    nextCrashesOnJoin = true;
    const subscription = await bus.subscribe(options);
    nextCrashesOnJoin = false;
    await subscription.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
  });

  it('starts nothing more once stopped, even with a restart pending', async () => {
    const subscription = await bus.subscribe(options);
    made[0]!.crash(false);
    await subscription.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
    expect(made[0]!.connected).toBe(false);
  });

  it('ignores crashes reported while stopping', async () => {
    const subscription = await bus.subscribe(options);
    await subscription.stop();
    made[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
  });
});

/** A stand-in for kafkajs's producer that refuses the sends it is told to. */
class FakeProducer {
  sent: string[] = [];
  refuse = 0;
  disconnected = false;
  constructor(readonly name: string) {}
  async sendBatch({ topicMessages }: { topicMessages: { topic: string }[] }) {
    if (this.refuse > 0) {
      this.refuse--;
      throw new Error('The broker received an out of order sequence number');
    }
    this.sent.push(...topicMessages.map((t) => t.topic));
    return [];
  }
  async disconnect() {
    this.disconnected = true;
  }
}

describe('KafkaBus publishing after a failed send', () => {
  const batch = (topic: string) => [{ topic, messages: [{ key: 'k', value: '{}', headers: {} }] }];

  it('publishes the next batch on a new producer and lets the failed one go', async () => {
    const first = new FakeProducer('first');
    first.refuse = 1;
    const made: FakeProducer[] = [];
    const bus = new KafkaBus({} as Kafka, first as unknown as Producer, 3, 1_000, async () => {
      made.push(new FakeProducer(`new-${made.length}`));
      return made.at(-1) as unknown as Producer;
    });

    await expect(bus.publish(batch('a'))).rejects.toThrow('out of order');
    expect(made).toHaveLength(0);
    await bus.publish(batch('b'));

    expect(made).toHaveLength(1);
    expect(made[0]!.sent).toEqual(['b']);
    expect(first.sent).toEqual([]);
    expect(first.disconnected).toBe(true);
    expect(bus.producer).toBe(made[0]);
    // A producer that sends keeps being used.
    await bus.publish(batch('c'));
    expect(made).toHaveLength(1);
    expect(made[0]!.sent).toEqual(['b', 'c']);
  });

  it('tries again on the next publish when the new producer cannot connect', async () => {
    const first = new FakeProducer('first');
    first.refuse = 1;
    let brokerAway = true;
    const fresh = new FakeProducer('fresh');
    const bus = new KafkaBus({} as Kafka, first as unknown as Producer, 3, 1_000, async () => {
      if (brokerAway) throw new Error('Connection error: connect ECONNREFUSED');
      return fresh as unknown as Producer;
    });

    await expect(bus.publish(batch('a'))).rejects.toThrow('out of order');
    await expect(bus.publish(batch('a'))).rejects.toThrow('ECONNREFUSED');
    expect(first.disconnected).toBe(false);
    expect(first.sent).toEqual([]);
    brokerAway = false;
    await bus.publish(batch('a'));
    expect(fresh.sent).toEqual(['a']);
    expect(first.disconnected).toBe(true);
  });

  it('makes one new producer for publishes that wait for it together', async () => {
    const first = new FakeProducer('first');
    first.refuse = 1;
    let made = 0;
    const bus = new KafkaBus({} as Kafka, first as unknown as Producer, 3, 1_000, async () => {
      made++;
      await new Promise((r) => setTimeout(r, 5));
      return new FakeProducer(`new-${made}`) as unknown as Producer;
    });
    await expect(bus.publish(batch('a'))).rejects.toThrow();
    await Promise.all([bus.publish(batch('b')), bus.publish(batch('c')), bus.publish(batch('d'))]);
    expect(made).toBe(1);
    expect((bus.producer as unknown as FakeProducer).sent.sort()).toEqual(['b', 'c', 'd']);
  });

  it('refuses to publish once closed, and lets go of a producer that connects after the close', async () => {
    const first = new FakeProducer('first');
    first.refuse = 1;
    const late = new FakeProducer('late');
    let connected!: () => void;
    const bus = new KafkaBus({} as Kafka, first as unknown as Producer, 3, 1_000, async () => {
      await new Promise<void>((r) => (connected = r));
      return late as unknown as Producer;
    });
    await expect(bus.publish(batch('a'))).rejects.toThrow();
    const waiting = bus.publish(batch('b'));
    await new Promise((r) => setImmediate(r));
    const closing = bus.close();
    connected();
    await expect(waiting).rejects.toThrow('closed');
    await closing;
    expect(late.disconnected).toBe(true);
    expect(late.sent).toEqual([]);
    await expect(bus.publish(batch('c'))).rejects.toThrow('closed');
  });

  it('closes the producer in use, not the one it replaced', async () => {
    const first = new FakeProducer('first');
    first.refuse = 1;
    const fresh = new FakeProducer('fresh');
    const bus = new KafkaBus(
      {} as Kafka,
      first as unknown as Producer,
      3,
      1_000,
      async () => fresh as unknown as Producer,
    );
    await expect(bus.publish(batch('a'))).rejects.toThrow();
    await bus.publish(batch('a'));
    await bus.close();
    expect(fresh.disconnected).toBe(true);
  });
});
