import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migration } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import { deadLetterTopic } from '@marketplace/event-contracts';
import {
  ConsumerRunner,
  createLogger,
  type DeliveredMessage,
  type EventHandler,
  type MessageBus,
  type Orm,
  type Subscription,
} from '@marketplace/platform';
import { testEnvelope, uniqueSuffix, waitFor } from '@marketplace/platform/testing';

/**
 * The delivery contract of the bus port (platform/src/messaging/bus.ts), one suite for both
 * adapters: kafka-bus.int-spec.ts runs it on Kafka, local-bus.int-spec.ts on the embedded
 * log. The consumer runner's guarantees on top (retries, dead letters, inbox) are checked
 * through the same suite, since the embedded profile must keep them too.
 */
export interface BusUnderTest {
  bus: MessageBus;
  /** A database with the platform migration applied (the inbox), for the runner tests. */
  orm: Orm;
  /** How long a fresh subscription may take to start receiving (a Kafka group join). */
  joinMs: number;
  close(): Promise<void>;
}

class EffectTable extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table bus_contract_effect (message_id uuid primary key, seen int not null)');
  }
}
export const effectMigration = { name: 'Migration20261122000000BusContractEffect', class: EffectTable };

type Received = { key: string | null; value: string; partition: number; offset: string };

export function busContract(adapter: string, setUp: () => Promise<BusUnderTest>): void {
  describe(`the bus contract on ${adapter}`, () => {
    let under: BusUnderTest;
    const subscriptions: Subscription[] = [];
    const logger = createLogger('bus-contract');

    beforeAll(async () => {
      under = await setUp();
    });
    afterAll(async () => {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await under?.close();
    });

    const topic = () => `bus-contract.${uniqueSuffix()}`;

    /** Subscribes a fresh group and waits until it demonstrably receives (a probe message). */
    async function subscribe(
      topics: string[],
      eachMessage: (m: DeliveredMessage) => Promise<void>,
      options: { groupId?: string; fromBeginning?: boolean } = {},
    ): Promise<Subscription> {
      const subscription = await under.bus.subscribe({
        groupId: options.groupId ?? `bus-contract.${uniqueSuffix()}`,
        topics,
        fromBeginning: options.fromBeginning ?? true,
        partitionsConsumedConcurrently: 2,
        sessionTimeoutMs: 30_000,
        eachMessage: (m) => eachMessage(m),
      });
      subscriptions.push(subscription);
      return subscription;
    }

    it('delivers every message, and the messages of one key on one partition in publish order', async () => {
      const t = topic();
      await under.bus.ensureTopics([t]);
      const keys = Array.from({ length: 5 }, () => newId());
      // Three publishes, interleaving keys, so order must hold across calls too.
      for (let round = 0; round < 3; round++) {
        await under.bus.publish([
          {
            topic: t,
            messages: keys.flatMap((key) => [0, 1].map((i) => ({ key, value: `${key}:${round * 2 + i}` }))),
          },
        ]);
      }
      const received: Received[] = [];
      await subscribe([t], async (m) => {
        received.push({ key: m.key, value: m.value ?? '', partition: m.partition, offset: m.offset });
      });
      await waitFor(async () => received.length >= 30, under.joinMs + 15_000);
      expect(received).toHaveLength(30);
      for (const key of keys) {
        const mine = received.filter((r) => r.key === key);
        expect(mine.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${key}:${i}`));
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      }
    });

    it('delivers a message whose handler threw again, before anything later on its partition', async () => {
      const t = topic();
      await under.bus.ensureTopics([t]);
      const key = newId();
      await under.bus.publish([{ topic: t, messages: ['a', 'b', 'c'].map((value) => ({ key, value })) }]);
      const seen: string[] = [];
      let failedOnce = false;
      await subscribe([t], async (m) => {
        seen.push(m.value ?? '');
        if (m.value === 'b' && !failedOnce) {
          failedOnce = true;
          throw new Error('not this time');
        }
      });
      await waitFor(async () => seen.includes('c'), under.joinMs + 20_000);
      // "b" came twice, and "c" only after "b" went through.
      expect(seen.filter((v) => v === 'b')).toHaveLength(2);
      expect(seen.indexOf('c')).toBeGreaterThan(seen.lastIndexOf('b'));
      expect(seen[0]).toBe('a');
    });

    it('resumes a group after its last committed message', async () => {
      const t = topic();
      await under.bus.ensureTopics([t]);
      const groupId = `bus-contract.resume.${uniqueSuffix()}`;
      const key = newId();
      await under.bus.publish([{ topic: t, messages: [1, 2, 3].map((i) => ({ key, value: `first-${i}` })) }]);
      const first: string[] = [];
      const subscription = await subscribe([t], async (m) => void first.push(m.value ?? ''), { groupId });
      await waitFor(async () => first.length >= 3, under.joinMs + 15_000);
      await subscription.stop();
      subscriptions.splice(subscriptions.indexOf(subscription), 1);
      // Stopped: its positions are committed (Kafka commits on leaving the group).
      const caughtUp = await under.bus.consumerLag([{ groupId, topics: [t] }]);
      expect(caughtUp.reduce((sum, p) => sum + p.lag, 0)).toBe(0);

      await under.bus.publish([{ topic: t, messages: [1, 2].map((i) => ({ key, value: `second-${i}` })) }]);
      // What /metrics reports as consumer_lag: the two messages the stopped group has not had.
      const lag = await under.bus.consumerLag([{ groupId, topics: [t] }]);
      expect(lag.reduce((sum, p) => sum + p.lag, 0)).toBe(2);
      const second: string[] = [];
      await subscribe([t], async (m) => void second.push(m.value ?? ''), { groupId });
      await waitFor(async () => second.length >= 2, under.joinMs + 15_000);
      expect(first).toEqual(['first-1', 'first-2', 'first-3']);
      expect(second).toEqual(['second-1', 'second-2']);
    });

    it('keeps headers, and a null key still delivers', async () => {
      const t = topic();
      await under.bus.ensureTopics([t]);
      expect(await under.bus.listTopics()).toContain(t);
      await under.bus.publish([
        {
          topic: t,
          messages: [{ key: null, value: 'no key', headers: { 'event-type': 'x.y', 'message-id': 'm-1' } }],
        },
      ]);
      const received: DeliveredMessage[] = [];
      await subscribe([t], async (m) => void received.push(m));
      await waitFor(async () => received.length >= 1, under.joinMs + 15_000);
      expect(received[0]).toMatchObject({
        key: null,
        value: 'no key',
        headers: { 'event-type': 'x.y', 'message-id': 'm-1' },
      });
    });

    it('runs a consumer runner on it: one effect per message however often it comes, poison to the dead-letter topic', async () => {
      const t = topic();
      const groupId = `bus-contract.runner.${uniqueSuffix()}`;
      const dlt = deadLetterTopic(groupId);
      await under.bus.ensureTopics([t, dlt]);
      const productId = newId();
      const payload = (version: number) => ({
        productId,
        sellerId: newId(),
        version,
        snapshot: { name: 'bus', description: '', price: { amount: 100, currency: 'EUR' }, status: 'DRAFT' },
      });
      const good = testEnvelope('products.product-created', 'Product', productId, payload(1));
      const failing = testEnvelope('products.product-created', 'Product', productId, payload(2));
      const handler: EventHandler = async (envelope, em: EntityManager) => {
        if (envelope.id === failing.id)
          throw Object.assign(new Error('always fails'), { code: 'TEST.ALWAYS' });
        await em.execute('insert into bus_contract_effect (message_id, seen) values (?, 1)', [envelope.id]);
      };
      const runner = new ConsumerRunner({
        bus: under.bus,
        orm: under.orm,
        logger,
        groupId,
        topics: [t],
        handlers: { 'products.product-created@1': handler },
        retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      });
      const letters: DeliveredMessage[] = [];
      await subscribe([dlt], async (m) => void letters.push(m));
      await runner.start();
      try {
        // The good one twice (a producer retry), the failing one, then malformed JSON.
        await under.bus.publish([
          {
            topic: t,
            messages: [
              { key: productId, value: JSON.stringify(good) },
              { key: productId, value: JSON.stringify(good) },
              { key: productId, value: JSON.stringify(failing) },
              { key: productId, value: '{ not json' },
            ],
          },
        ]);
        await waitFor(async () => letters.length >= 2, under.joinMs * 2 + 20_000);
        const effects = await under.orm.em
          .fork()
          .execute<{ message_id: string }[]>(
            'select message_id from bus_contract_effect where message_id = ?',
            [good.id],
          );
        expect(effects).toHaveLength(1);
        expect(letters.map((l) => l.headers['dlt-code']).sort()).toEqual([
          'CONTRACT.MALFORMED_JSON',
          'TEST.ALWAYS',
        ]);
        const dead = letters.find((l) => l.headers['dlt-code'] === 'TEST.ALWAYS')!;
        expect(JSON.parse(dead.value ?? '{}')).toMatchObject({ id: failing.id });
        expect(dead.headers).toMatchObject({
          'dlt-consumer-group': groupId,
          'dlt-original-topic': t,
          'dlt-attempts': '2',
        });
        expect(dead.key).toBe(productId);
      } finally {
        await runner.stop();
      }
    });
  });
}
