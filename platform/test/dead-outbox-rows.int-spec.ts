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
  listDeadOutboxRows,
  loadConfig,
  migrate,
  observeOutbox,
  retryDeadOutboxRow,
  type Orm,
} from '@marketplace/platform';
import { createTestTopics, uniqueSuffix, waitFor, writeOutboxProbe } from '@marketplace/platform/testing';

/*
 * The operator's decisions on dead outbox rows (what `marketplace admin outbox-*` runs), on a real
 * Postgres and a real Kafka: rows are refused for good by a topic whose max.message.bytes they
 * exceed; a discarded row is never sent and releases its key; a retried row is published once
 * the topic takes it, and the rows behind it follow. Bad input changes nothing.
 */
const config = loadConfig();
const logger = createLogger('dead-outbox-rows-test');
const suffix = uniqueSuffix();
const small = `test.dead-outbox-small.${suffix}`;
let orm: Orm;
let bus: KafkaBus;

const em = () => orm.em.fork() as EntityManager;

const outboxRow = (key: string, size?: number) => writeOutboxProbe(em(), small, key, size);

const state = async (id: string) =>
  (
    await em().execute<{ sent: boolean; dead: boolean; discarded: boolean; discard_reason: string | null }[]>(
      `select sent_at is not null as sent, dead_at is not null as dead, discarded_at is not null as discarded,
         discard_reason from outbox where id = ?`,
      [id],
    )
  )[0]!;

/** Every column of every row: what "changes nothing" is checked against. */
const snapshot = () => em().execute('select * from outbox order by seq');

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_dead_outbox_rows_${suffix}`,
    entities: [],
    migrations: [],
  });
  await migrate(orm);
  bus = await KafkaBus.connect(`dead-outbox-rows-${suffix}`, config.kafkaBrokers);
  await createTestTopics(bus.kafka, [
    { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
  ]);
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await orm?.schema.dropDatabase().catch(() => undefined);
  await orm?.close(true);
});

describe('dead outbox rows: list, retry, discard', () => {
  it('lists dead rows, refuses bad input without a change, discards one (its key flows) and retries one (it and its key flow)', async () => {
    const relay = new OutboxRelay({ orm, bus, logger });
    const toRetry = await outboxRow('key-retry', 5_000);
    const behindRetry = await outboxRow('key-retry');
    const toDiscard = await outboxRow('key-discard', 5_000);
    const behindDiscard1 = await outboxRow('key-discard');
    const behindDiscard2 = await outboxRow('key-discard');
    expect(await relay.drain()).toBe(2);

    const dead = await listDeadOutboxRows(em());
    expect(dead.map((r) => [r.id, r.heldBack])).toEqual([
      [toRetry, 1],
      [toDiscard, 2],
    ]);
    expect(dead[0]).toMatchObject({
      topic: small,
      eventType: 'test.probe',
      messageKey: 'key-retry',
      attempts: 1,
    });
    expect(dead[0]!.lastError).toMatch(/^MESSAGE_TOO_LARGE: /);
    expect(dead[0]!.bytes).toBeGreaterThan(5_000);
    expect(await listDeadOutboxRows(em(), { limit: 1 })).toHaveLength(1);

    // Bad input: a clear refusal each, and not a column of any row changes.
    const before = await snapshot();
    const refusals = await Promise.all([
      retryDeadOutboxRow(em(), 'not-an-id'),
      retryDeadOutboxRow(em(), newId()),
      retryDeadOutboxRow(em(), behindRetry),
      discardDeadOutboxRow(em(), newId(), 'gone'),
      discardDeadOutboxRow(em(), toDiscard, '   '),
      discardDeadOutboxRow(em(), toDiscard, 'hidden \u202e text'),
      discardDeadOutboxRow(em(), toDiscard, 'x'.repeat(501)),
    ]);
    expect(refusals.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'OUTBOX.INVALID_ID',
      'OUTBOX.ROW_NOT_FOUND',
      'OUTBOX.ROW_NOT_DEAD',
      'OUTBOX.ROW_NOT_FOUND',
      'VALIDATION.TOO_SHORT',
      'VALIDATION.CONTROL_CHARACTERS',
      'VALIDATION.TOO_LONG',
    ]);
    expect(refusals[2]!.ok ? '' : refusals[2]!.error.message).toMatch(
      /is not dead \(waiting for the relay\)/,
    );
    expect(await snapshot()).toEqual(before);

    // Discard: never sent, reason kept; the rows behind it are published.
    const discarded = await discardDeadOutboxRow(em(), toDiscard, '  duplicate of a fixed event \n');
    expect(discarded).toMatchObject({ ok: true, value: { row: { id: toDiscard, heldBack: 2 } } });
    expect(await relay.drain()).toBe(2);
    expect(await state(toDiscard)).toEqual({
      sent: false,
      dead: true,
      discarded: true,
      discard_reason: 'duplicate of a fixed event',
    });
    for (const id of [behindDiscard1, behindDiscard2]) expect(await state(id)).toMatchObject({ sent: true });
    expect((await listDeadOutboxRows(em())).map((r) => r.id)).toEqual([toRetry]);
    // A decided row stays decided.
    const again = [
      await discardDeadOutboxRow(em(), toDiscard, 'twice'),
      await retryDeadOutboxRow(em(), toDiscard),
    ];
    expect(again.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'OUTBOX.ROW_DISCARDED',
      'OUTBOX.ROW_DISCARDED',
    ]);

    const metrics = new ServiceMetrics('dead-outbox-rows-test', { processMetrics: false });
    observeOutbox(metrics, orm);
    const exposition = await metrics.registry.metrics();
    // The discarded row is in no gauge: it waits for nobody.
    expect(exposition).toMatch(/^outbox_dead_rows\{service="dead-outbox-rows-test"\} 1$/m);
    expect(exposition).toMatch(/^outbox_backlog\{service="dead-outbox-rows-test"\} 2$/m);

    // Retry once the cause is fixed: the topic takes larger records now.
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: 2, name: small, configEntries: [{ name: 'max.message.bytes', value: '100000' }] },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const retried = await retryDeadOutboxRow(em(), toRetry);
    expect(retried).toMatchObject({ ok: true, value: { row: { id: toRetry, heldBack: 1 } } });
    // The broker applies a topic's new config shortly after it is altered: until then the row is
    // refused again (dead again, as retry says), and retried again.
    await waitFor(async () => {
      await relay.drain();
      if ((await state(toRetry)).sent) return true;
      await retryDeadOutboxRow(em(), toRetry);
      return false;
    }, 20_000);
    await relay.drain();
    expect(await state(toRetry)).toMatchObject({ sent: true, dead: false, discarded: false });
    expect(await state(behindRetry)).toMatchObject({ sent: true });
    expect(await listDeadOutboxRows(em())).toEqual([]);
    const after = await metrics.registry.metrics();
    expect(after).toMatch(/^outbox_dead_rows\{service="dead-outbox-rows-test"\} 0$/m);
    expect(after).toMatch(/^outbox_backlog\{service="dead-outbox-rows-test"\} 0$/m);
  }, 60_000);

  it('migrates down and up again: a discarded row stays given up (marked sent, the only mark the older schema has), and keeps its rows', async () => {
    await orm.migrator.down({ to: 'Migration20261207000000PlatformOutboxDeadRows' });
    const columns = await em().execute<{ column_name: string }[]>(
      `select column_name from information_schema.columns
       where table_name = 'outbox' and column_name in ('discarded_at', 'discard_reason')`,
    );
    expect(columns).toHaveLength(0);
    // Without the columns the row discarded above is marked given up the way the older schema
    // says it (`sent_at`): no relay of that version sends it, and it holds nothing back.
    const givenUp = await em().execute<{ n: string }[]>(
      `select count(*) as n from outbox where message_key = 'key-discard' and dead_at is not null and sent_at is not null`,
    );
    expect(Number(givenUp[0]!.n)).toBe(1);
    await migrate(orm);
    expect(await listDeadOutboxRows(em())).toEqual([]);
    const id = await outboxRow('key-after-migration');
    expect(await new OutboxRelay({ orm, bus, logger }).drain()).toBe(1);
    expect(await state(id)).toMatchObject({ sent: true });
  }, 60_000);
});
