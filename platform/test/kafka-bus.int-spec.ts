import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KafkaBus, createOrm, loadConfig, migrate } from '@marketplace/platform';
import { createTestTopics, uniqueSuffix } from '@marketplace/platform/testing';
import { busContract, effectMigration } from './bus.contract.js';

// The services profile's bus: the contract on the shared Kafka broker and Postgres server.
busContract('Kafka', async () => {
  const config = loadConfig();
  const suffix = uniqueSuffix();
  const bus = await KafkaBus.connect(`bus-contract-${suffix}`, config.kafkaBrokers);
  const orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_bus_contract_${suffix}`,
    entities: [],
    migrations: [effectMigration],
  });
  await migrate(orm);
  return {
    bus,
    orm,
    joinMs: 15_000,
    close: async () => {
      await bus.close();
      await orm.schema.dropDatabase().catch(() => undefined);
      await orm.close(true);
    },
  };
});

/*
 * kafkajs's idempotent producer after a request the broker took in part: the broker appended
 * one partition's messages and refused another's (here a message over the topic's size limit;
 * a restarting broker refuses some partitions the same way). kafkajs takes back the sequence
 * numbers of the whole request, so that producer's next batch for the appended partition is
 * refused as out of order, and every one after it. The bus publishes on a new producer instead.
 */
describe('KafkaBus after a batch the broker took in part', () => {
  const config = loadConfig();
  const suffix = uniqueSuffix();
  const small = `test.bus-desync-small.${suffix}`;
  const fine = `test.bus-desync-fine.${suffix}`;
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect(`bus-desync-${suffix}`, config.kafkaBrokers);
    await createTestTopics(bus.kafka, [
      { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] },
      { topic: fine, numPartitions: 1 },
    ]);
  }, 60_000);

  afterAll(async () => {
    await bus.close();
  });

  const message = (value: string) => ({ key: 'k', value, headers: {} });

  it('goes on publishing to the partition the failed request did append to', async () => {
    await bus.publish([{ topic: fine, messages: [message('"first"')] }]);
    await expect(
      bus.publish([
        { topic: fine, messages: [message('"second"')] },
        { topic: small, messages: [message(JSON.stringify('x'.repeat(5_000)))] },
      ]),
    ).rejects.toThrow(/larger than the max message size/);

    await bus.publish([{ topic: fine, messages: [message('"third"'), message('"fourth"')] }]);

    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      const [partition] = await admin.fetchTopicOffsets(fine);
      // first, second (appended although its request failed), third, fourth.
      expect(Number(partition!.high)).toBe(4);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});
