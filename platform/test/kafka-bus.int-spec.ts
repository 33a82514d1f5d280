import { KafkaBus, createOrm, loadConfig, migrate } from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
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
