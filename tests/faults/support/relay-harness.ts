/*
 * A process the relay fault test SIGKILLs: writers commit outbox rows without pause while an
 * OutboxRelay publishes them. After a few batches the relay's `beforeMark` hook (Kafka has
 * acknowledged the batch, the rows are not marked sent yet) prints `blocked <n>` and never
 * returns, which is where the test kills this process.
 *
 * Run by node itself (type stripping) against the built platform, as the services run:
 *   FAULT_DB=<database> FAULT_TOPIC=<topic> node tests/faults/support/relay-harness.ts
 * The database must already carry the platform's outbox (the test migrates it).
 */
import { OutboxRelay, KafkaBus, createLogger, createOrm, loadConfig } from '@marketplace/platform';
import { testEnvelope } from '@marketplace/platform/testing';
import { newId } from '@marketplace/shared-kernel';

const db = process.env.FAULT_DB!;
const topic = process.env.FAULT_TOPIC!;
const blockAtBatch = Number(process.env.FAULT_BLOCK_AT_BATCH ?? 4);
const writers = Number(process.env.FAULT_WRITERS ?? 2);
const rowsPerCommit = 10;
/** Few keys, many rows each: the relay must keep each key's order while it shares the work. */
const keys = Array.from({ length: 40 }, () => newId());
const sellerId = newId();

const config = loadConfig();
const logger = createLogger('relay-fault-harness');
const orm = await createOrm({ postgresUrl: config.postgresUrl, dbName: db, entities: [], migrations: [] });
const bus = await KafkaBus.connect(`relay-fault-harness-${db}`, config.kafkaBrokers);

let version = 0;
async function write(): Promise<void> {
  for (;;) {
    await orm.em.fork().transactional(async (tx) => {
      for (let i = 0; i < rowsPerCommit; i++) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        version += 1;
        const envelope = testEnvelope('products.product-created', 'Product', key, {
          productId: key,
          sellerId,
          version,
          snapshot: {
            name: 'fault probe',
            description: '',
            price: { amount: 100, currency: 'EUR' },
            status: 'DRAFT',
          },
        });
        await tx.execute(
          'insert into outbox (id, topic, message_key, event_type, event_version, envelope) values (?, ?, ?, ?, ?, ?)',
          [envelope.id, topic, key, envelope.type, envelope.version, JSON.stringify(envelope)],
        );
      }
    });
  }
}

let batches = 0;
const relay = new OutboxRelay({
  orm,
  bus,
  logger,
  batchSize: 50,
  idleDelayMs: 5,
  beforeMark: async (ids) => {
    batches += 1;
    if (batches < blockAtBatch) return;
    process.stdout.write(`blocked ${ids.length}\n`);
    // Kafka has the batch; its rows stay unmarked until this process is killed.
    await new Promise(() => {});
  },
});

for (let i = 0; i < writers; i++) void write();
relay.start();
process.stdout.write('started\n');
