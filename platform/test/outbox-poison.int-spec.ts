import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import {
  KafkaBus,
  OutboxRelay,
  ServiceMetrics,
  createLogger,
  createOrm,
  discardDeadOutboxRow,
  loadConfig,
  migrate,
  observeOutbox,
  oldestUnsentAt,
  type Orm,
} from '@marketplace/platform';
import { createTestTopics, uniqueSuffix, writeOutboxProbe } from '@marketplace/platform/testing';

/*
 * A row Kafka can never take (here larger than its topic's max.message.bytes) among rows it
 * takes: the relay marks that row dead, publishes the others (other keys, other topics), holds
 * back the later rows of the dead row's key, and no longer claims any of them.
 */
const config = loadConfig();
const logger = createLogger('outbox-poison-test');
const suffix = uniqueSuffix();
const small = `test.outbox-poison-small.${suffix}`;
const fine = `test.outbox-poison-fine.${suffix}`;
let orm: Orm;
let bus: KafkaBus;

const em = () => orm.em.fork() as EntityManager;

const outboxRow = (topic: string, key: string, size?: number) => writeOutboxProbe(em(), topic, key, size);

const state = async (id: string) =>
  (
    await em().execute<{ sent: boolean; dead: boolean; last_error: string | null }[]>(
      'select sent_at is not null as sent, dead_at is not null as dead, last_error from outbox where id = ?',
      [id],
    )
  )[0]!;

async function messagesIn(topic: string): Promise<number> {
  const admin = bus.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_outbox_poison_${suffix}`,
    entities: [],
    migrations: [],
  });
  await migrate(orm);
  bus = await KafkaBus.connect(`outbox-poison-${suffix}`, config.kafkaBrokers);
  await createTestTopics(bus.kafka, [
    { topic: small, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
    { topic: fine, numPartitions: 3 },
  ]);
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await orm?.schema.dropDatabase().catch(() => undefined);
  await orm?.close(true);
});

describe('outbox relay and a row the bus refuses for good', () => {
  it('marks the poison row dead, publishes the other keys and holds back the later rows of its key', async () => {
    const relay = new OutboxRelay({ orm, bus, logger });
    const before1 = await outboxRow(small, 'key-a');
    const poison = await outboxRow(small, 'key-poison', 5_000);
    const other = await outboxRow(fine, 'key-b');
    const behind = await outboxRow(fine, 'key-poison');
    const after1 = await outboxRow(small, 'key-a');

    // One batch: it fails as a whole, then goes row by row; the held-back row settles nothing.
    expect(await relay.publishBatch()).toBe(4);

    for (const id of [before1, other, after1])
      expect(await state(id)).toMatchObject({ sent: true, dead: false });
    const dead = await state(poison);
    expect(dead).toMatchObject({ sent: false, dead: true });
    expect(dead.last_error).toMatch(/^MESSAGE_TOO_LARGE: .*larger than the max message size/);
    expect(await state(behind)).toMatchObject({ sent: false, dead: false });
    // The broker has them (the failed batch may have appended some before the row-by-row pass).
    expect(await messagesIn(small)).toBeGreaterThanOrEqual(2);
    expect(await messagesIn(fine)).toBeGreaterThanOrEqual(1);

    // Nothing the relay may publish is left: the dead row and the row behind it are not claimed.
    const later = await outboxRow(fine, 'key-c');
    expect(await relay.drain()).toBe(1);
    expect(await state(later)).toMatchObject({ sent: true });
    expect(await relay.publishBatch()).toBe(0);
    expect(await state(behind)).toMatchObject({ sent: false, dead: false });
    // A waiting saga does not read the dead row as a broker that stopped taking messages.
    expect(await oldestUnsentAt(em())).toBeNull();

    const metrics = new ServiceMetrics('outbox-poison-test', { processMetrics: false });
    observeOutbox(metrics, orm);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(/^outbox_dead_rows\{service="outbox-poison-test"\} 1$/m);
    expect(exposition).toMatch(/^outbox_backlog\{service="outbox-poison-test"\} 2$/m);
    // The lag speaks of what the relay still has to publish: the dead row and its key wait for an operator.
    expect(exposition).toMatch(/^outbox_lag_seconds\{service="outbox-poison-test"\} 0$/m);

    // An operator gives the row up (it stays for audit, dead, discarded, never sent): its key flows again.
    expect(await discardDeadOutboxRow(em(), poison, 'too large for its topic')).toMatchObject({ ok: true });
    expect(await relay.drain()).toBe(1);
    expect(await state(behind)).toMatchObject({ sent: true, dead: false });
    expect(await metrics.registry.metrics()).toMatch(/^outbox_dead_rows\{service="outbox-poison-test"\} 0$/m);
  }, 60_000);

  it('keeps the rows of a database migrated before dead rows existed, and relays them', async () => {
    // Back to the first platform migration: the outbox as existing databases have it.
    await orm.migrator.down({ to: 'Migration20261121000000PlatformOutboxInbox' });
    const columns = await em().execute<{ column_name: string }[]>(
      `select column_name from information_schema.columns where table_name = 'outbox' and column_name = 'dead_at'`,
    );
    expect(columns).toHaveLength(0);
    const id = newId();
    await em().execute(
      `insert into outbox (id, topic, message_key, event_type, event_version, envelope)
       values (?, ?, 'key-old', 'test.probe', 1, ?::jsonb)`,
      [id, fine, JSON.stringify({ id, correlationId: 'c-old' })],
    );
    await migrate(orm);
    expect(await state(id)).toMatchObject({ sent: false, dead: false });
    // The row given up above stays given up across the migrations (marked sent on the way down).
    expect(await new OutboxRelay({ orm, bus, logger }).drain()).toBe(1);
    expect(await state(id)).toMatchObject({ sent: true, dead: false });
  }, 60_000);
});
