import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migration } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { KafkaMessage } from 'kafkajs';
import { newId } from '@marketplace/shared-kernel';
import { deadLetterTopic, type EventEnvelope } from '@marketplace/event-contracts';
import {
  ConsumerRunner,
  ConsumerStoppingError,
  TransientError,
  connectProducer,
  KafkaBus,
  createKafka,
  createLogger,
  createOrm,
  ensureTopics,
  loadConfig,
  migrate,
  type EventHandler,
  type Orm,
  type Producer,
} from '@marketplace/platform';
import { testEnvelope, uniqueSuffix, waitFor } from '@marketplace/platform/testing';

/*
 * "Not now" failures (a TransientError, a Postgres deadlock or serialization failure) are waited
 * out outside the transaction, without spending the dead-letter retries: the effect is applied
 * exactly once and the message never reaches the dead-letter topic. The runner is driven through
 * handle(), the same path its Kafka loop takes for every message.
 */

class EffectTable extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table transient_effect (message_id uuid not null, attempt int not null)');
  }
}

const config = loadConfig();
const suffix = uniqueSuffix();
const groupId = `platform-transient.${suffix}`;
const kafka = createKafka(`transient-test-${suffix}`, config.kafkaBrokers);
let orm: Orm;
let producer: Producer;
let offset = 0;

function message(): { envelope: EventEnvelope; raw: KafkaMessage } {
  const productId = newId();
  const envelope = testEnvelope('products.product-created', 'Product', productId, {
    productId,
    sellerId: newId(),
    version: 1,
    snapshot: {
      name: 'transient',
      description: '',
      price: { amount: 100, currency: 'EUR' },
      status: 'DRAFT',
    },
  });
  offset += 1;
  const raw = {
    key: Buffer.from(productId),
    value: Buffer.from(JSON.stringify(envelope)),
    offset: String(offset),
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
    size: 0,
  } as unknown as KafkaMessage;
  return { envelope, raw };
}

/** Writes its effect inside the runner's transaction, then fails the first `failures` attempts. */
function flakyHandler(failures: number, failure: (attempt: number) => Error) {
  const state = { calls: 0 };
  const handler: EventHandler = async (envelope: EventEnvelope, em: EntityManager) => {
    state.calls += 1;
    await em.execute('insert into transient_effect (message_id, attempt) values (?, ?)', [
      envelope.id,
      state.calls,
    ]);
    if (state.calls <= failures) throw failure(state.calls);
  };
  return { handler, state };
}

function runnerFor(handler: EventHandler): ConsumerRunner {
  return new ConsumerRunner({
    bus: new KafkaBus(kafka, producer),
    orm,
    logger: createLogger('transient-test'),
    groupId,
    topics: ['products.product'],
    handlers: { 'products.product-created@1': handler },
    // Two attempts only: a transient failure counted against them would dead-letter at once.
    retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 5 },
    transientBackoff: { initialDelayMs: 5, maxDelayMs: 40 },
  });
}

const rows = async (table: 'transient_effect' | 'inbox', column: string, id: string) =>
  Number(
    (
      await orm.em
        .fork()
        .execute<{ n: number }[]>(`select count(*)::int as n from ${table} where ${column} = ?`, [id])
    )[0]!.n,
  );

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_platform_transient_${suffix}`,
    entities: [],
    migrations: [{ name: 'EffectTable', class: EffectTable }],
  });
  await migrate(orm);
  await ensureTopics(kafka, [deadLetterTopic(groupId)]);
  producer = await connectProducer(kafka);
});

afterAll(async () => {
  await producer?.disconnect();
  await orm?.close(true);
});

describe('ConsumerRunner transient failures', () => {
  it('waits out a TransientError and applies the effect exactly once, not dead-lettered', async () => {
    const { handler, state } = flakyHandler(5, () => new TransientError('PROBE.AWAY', 'dependency away'));
    const runner = runnerFor(handler);
    const { envelope, raw } = message();
    const heartbeats: number[] = [];
    const outcome = await runner.handle('products.product', 0, raw, async () => {
      heartbeats.push(state.calls);
    });
    expect(outcome).toBe('processed');
    expect(state.calls).toBe(6);
    // The member heartbeats between attempts, so it keeps its partitions while it waits.
    expect(heartbeats).toEqual([1, 2, 3, 4, 5]);
    // Every failed attempt was rolled back with its inbox row: only the successful one remains.
    expect(await rows('transient_effect', 'message_id', envelope.id)).toBe(1);
    expect(await rows('inbox', 'message_id', envelope.id)).toBe(1);
    // A redelivery finds the inbox row and has no second effect.
    expect(await runner.handle('products.product', 0, raw)).toBe('duplicate');
    expect(state.calls).toBe(6);
  });

  it('retries Postgres deadlocks (40P01) and serialization failures (40001) without dead-lettering', async () => {
    const { handler, state } = flakyHandler(4, (attempt) =>
      Object.assign(new Error(attempt % 2 ? 'deadlock detected' : 'could not serialize access'), {
        code: attempt % 2 ? '40P01' : '40001',
      }),
    );
    const { envelope, raw } = message();
    expect(await runnerFor(handler).handle('products.product', 0, raw)).toBe('processed');
    expect(state.calls).toBe(5);
    expect(await rows('transient_effect', 'message_id', envelope.id)).toBe(1);
    expect(await rows('inbox', 'message_id', envelope.id)).toBe(1);
  });

  it('still dead-letters a failure that is not transient', async () => {
    const { handler, state } = flakyHandler(10, () =>
      Object.assign(new Error('cannot digest'), { code: 'PROBE.POISON' }),
    );
    const { envelope, raw } = message();
    expect(await runnerFor(handler).handle('products.product', 0, raw)).toBe('dead-lettered');
    expect(state.calls).toBe(2);
    expect(await rows('inbox', 'message_id', envelope.id)).toBe(0);
  });

  it('gives up waiting when stopped, leaving the message uncommitted for redelivery', async () => {
    const { handler, state } = flakyHandler(
      Number.MAX_SAFE_INTEGER,
      () => new TransientError('PROBE.AWAY', 'dependency away'),
    );
    const runner = runnerFor(handler);
    const { envelope, raw } = message();
    const outcome = runner.handle('products.product', 0, raw);
    await waitFor(() => state.calls >= 3, 30_000, 5);
    await runner.stop();
    await expect(outcome).rejects.toBeInstanceOf(ConsumerStoppingError);
    expect(await rows('inbox', 'message_id', envelope.id)).toBe(0);
    expect(await rows('transient_effect', 'message_id', envelope.id)).toBe(0);
  });
});
