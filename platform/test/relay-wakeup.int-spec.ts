import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AggregateRoot, domainError, err, newId, ok } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import {
  ConsumerRunner,
  OutboxRelay,
  connectProducer,
  KafkaBus,
  createKafka,
  createLogger,
  createOrm,
  ensureTopics,
  inTransaction,
  loadConfig,
  migrate,
  oldestUnsentAt,
  OutboxMessage,
  type Orm,
  type Producer,
} from '@marketplace/platform';
import { testEnvelope, uniqueSuffix, waitFor } from '@marketplace/platform/testing';

/** Raises a valid product event, so the relay publishes a real contract. */
class Probe extends AggregateRoot {
  readonly id = newId();
  protected override get aggregateType(): string {
    return 'Probe';
  }
  touch(): this {
    this.raise('products.product-created@1', {
      productId: this.id,
      sellerId: newId(),
      version: 1,
      snapshot: {
        name: 'wake-up probe',
        description: '',
        price: { amount: 100, currency: 'EUR' },
        status: 'DRAFT',
      },
    });
    return this;
  }
}

const config = loadConfig();
const logger = createLogger('relay-wakeup-test');
const suffix = uniqueSuffix();
const kafka = createKafka(`relay-wakeup-test-${suffix}`, config.kafkaBrokers);
let orm: Orm;
let producer: Producer;

const count = async (sql: string, params: unknown[] = []) =>
  Number(
    (await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from ${sql}`, params))[0]!.n,
  );

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_wakeup_${suffix}`,
    entities: [],
    migrations: [],
  });
  await migrate(orm);
  await orm.em.fork().execute('create table probe_effect (message_id uuid primary key)');
  await ensureTopics(kafka, [Topics.product]);
  producer = await connectProducer(kafka);
});

afterAll(async () => {
  await producer?.disconnect();
  await orm?.close(true);
});

describe('outbox relay wake-up', () => {
  it('publishes a commit as soon as it is nudged, however long its idle wait', async () => {
    // An idle wait far longer than the test: only the nudge can make the relay poll again.
    const relay = new OutboxRelay({ orm, bus: new KafkaBus(kafka, producer), logger, idleDelayMs: 600_000 });
    relay.start();
    try {
      await waitFor(async () => (await count('outbox where sent_at is null')) === 0);
      const probe = new Probe().touch();
      const committed = await inTransaction(
        orm.em as EntityManager,
        { producer: 'test', correlationId: 'wake' },
        async (scope) => {
          scope.track(probe);
          return ok(true);
        },
      );
      expect(committed.ok).toBe(true);
      relay.nudge();
      await waitFor(
        async () => (await count('outbox where message_key = ? and sent_at is not null', [probe.id])) === 1,
      );
    } finally {
      await relay.stop();
    }
  });
});

/** Commits a probe's event to the outbox, nudging no relay. */
async function commitProbe(correlationId: string): Promise<Probe> {
  const probe = new Probe().touch();
  await inTransaction(orm.em as EntityManager, { producer: 'test', correlationId }, async (scope) => {
    scope.track(probe);
    return ok(true);
  });
  return probe;
}

describe('outbox relay stop', () => {
  it('publishes what was committed before it stopped, without waiting for its next poll', async () => {
    const relay = new OutboxRelay({ orm, bus: new KafkaBus(kafka, producer), logger, idleDelayMs: 600_000 });
    relay.start();
    await waitFor(async () => (await count('outbox where sent_at is null')) === 0);
    // Committed without a nudge, as the last commit of a request finished during a graceful stop.
    const probe = await commitProbe('stop');
    await relay.stop();
    expect(await count('outbox where message_key = ? and sent_at is not null', [probe.id])).toBe(1);
  });

  it('publishes nothing when it was never started', async () => {
    const relay = new OutboxRelay({ orm, bus: new KafkaBus(kafka, producer), logger });
    const before = Date.now();
    const probe = await commitProbe('idle');
    await relay.stop();
    expect(await count('outbox where message_key = ? and sent_at is null', [probe.id])).toBe(1);
    // What a waiting saga asks: since when the oldest message has waited.
    const waiting = await oldestUnsentAt(orm.em.fork() as EntityManager);
    expect(waiting!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(waiting!.getTime()).toBeLessThanOrEqual(Date.now());
    await relay.drain();
    expect(await oldestUnsentAt(orm.em.fork() as EntityManager)).toBeNull();
  });
});

describe('consumer runner after commit', () => {
  it('runs the after-commit hook once the effect is visible to other sessions, and not for a duplicate', async () => {
    const seen: Promise<number>[] = [];
    const runner = new ConsumerRunner({
      bus: new KafkaBus(kafka, producer),
      orm,
      logger,
      groupId: `relay-wakeup-test.${suffix}`,
      topics: [Topics.product],
      handlers: {
        'products.product-created@1': async (envelope: EventEnvelope, em: EntityManager) => {
          await em.execute('insert into probe_effect (message_id) values (?)', [envelope.id]);
        },
      },
      // Another session looks for the effect the moment the hook runs.
      afterCommit: () => void seen.push(count('probe_effect')),
    });
    const envelope = testEnvelope('products.product-created', 'Product', newId(), {
      productId: newId(),
      sellerId: newId(),
      version: 1,
      snapshot: { name: 'hooked', description: '', price: { amount: 100, currency: 'EUR' }, status: 'DRAFT' },
    });
    const message = {
      key: null,
      value: Buffer.from(JSON.stringify(envelope)),
      offset: '0',
      timestamp: '0',
      attributes: 0,
      headers: {},
    };

    expect(await runner.handle(Topics.product, 0, message)).toBe('processed');
    expect(await runner.handle(Topics.product, 0, message)).toBe('duplicate');
    expect(await Promise.all(seen)).toEqual([1]);
  });
});

describe('unit of work wake-up', () => {
  it('wakes the relay after committing outbox rows the work persisted itself, not after a rollback', async () => {
    let woken = 0;
    const options = { onEvents: () => void (woken += 1) };
    const meta = { producer: 'test', correlationId: 'forward' };
    // A message sent on as it was (operations' replay of a dead letter): its own envelope and id.
    const forwarded = () => {
      const envelope = testEnvelope('products.product-created', 'Product', newId(), {
        productId: newId(),
        sellerId: newId(),
        version: 1,
        snapshot: {
          name: 'again',
          description: '',
          price: { amount: 100, currency: 'EUR' },
          status: 'DRAFT',
        },
      });
      return new OutboxMessage(newId(), Topics.product, envelope.aggregateId, envelope.type, 1, envelope);
    };
    const em = orm.em as EntityManager;

    const rolledBack = forwarded();
    await inTransaction(
      em,
      meta,
      async (scope) => {
        scope.em.persist(rolledBack);
        return err(domainError('TEST.REFUSED', 'refused'));
      },
      options,
    );
    expect(woken).toBe(0);
    await inTransaction(em, meta, async () => ok(true), options);
    expect(woken).toBe(0);

    const row = forwarded();
    await inTransaction(
      em,
      meta,
      async (scope) => {
        scope.em.persist(row);
        return ok(true);
      },
      options,
    );
    expect(woken).toBe(1);
    expect(await count('outbox where id in (?, ?)', [row.id, rolledBack.id])).toBe(1);
  });
});
