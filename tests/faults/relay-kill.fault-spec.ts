import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Consumer } from 'kafkajs';
import pg from 'pg';
import {
  ConsumerRunner,
  OutboxRelay,
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
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';
import { report } from './support/private-infra.js';

/*
 * The relay SIGKILLed between publishing and marking, under load: a child process commits
 * outbox rows continuously while its relay publishes them, and is killed while a batch Kafka
 * has acknowledged is still unmarked. A second relay drains the outbox; a consumer with the
 * platform's inbox applies each message. Every committed row must take effect exactly once,
 * and the killed batch must really have reached Kafka twice (so the fault was the one meant).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = loadConfig();
const logger = createLogger('relay-fault');
const suffix = uniqueSuffix();
const db = `mp_faults_relay_${suffix}`;
const topic = `faults.relay.${suffix}`;
const kafka = createKafka(`relay-fault-${suffix}`, config.kafkaBrokers);

let orm: Orm;
let producer: Producer;
let runner: ConsumerRunner;
let copies: Consumer;
let child: ChildProcess | undefined;
/** How many times each message id was read from the topic (any group sees every copy). */
const seen = new Map<string, number>();

const count = async (sql: string) =>
  Number((await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from ${sql}`))[0]!.n);

beforeAll(async () => {
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: db,
    entities: [],
    migrations: [],
  });
  await migrate(orm);
  // No unique key on purpose: a second effect of one message would show as a second row.
  await orm.em
    .fork()
    .execute(
      'create table relay_effect (n bigserial primary key, message_id uuid not null, aggregate_id uuid not null)',
    );
  await ensureTopics(kafka, [topic]);
  producer = await connectProducer(kafka);
  const effect: EventHandler = async (envelope, em) => {
    await em.execute('insert into relay_effect (message_id, aggregate_id) values (?, ?)', [
      envelope.id,
      envelope.aggregateId,
    ]);
  };
  runner = new ConsumerRunner({
    bus: new KafkaBus(kafka, producer),
    orm,
    logger,
    groupId: `faults.relay.${suffix}`,
    topics: [topic],
    handlers: { 'products.product-created@1': effect },
  });
  await runner.start();
  copies = kafka.consumer({ groupId: `faults.relay-copies.${suffix}` });
  await copies.connect();
  await copies.subscribe({ topics: [topic], fromBeginning: true });
  await copies.run({
    eachMessage: async ({ message }) => {
      const id = message.headers?.['message-id']?.toString();
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    },
  });
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await copies?.disconnect();
  await runner?.stop();
  await producer?.disconnect();
  await orm?.close(true);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  const client = new pg.Client({ connectionString: `${config.postgresUrl}/postgres` });
  await client.connect();
  await client.query(`drop database if exists ${db} with (force)`);
  await client.end();
});

describe('outbox relay killed between publishing and marking', () => {
  it('loses nothing and applies every message once', async () => {
    child = spawn(process.execPath, ['--no-warnings', 'tests/faults/support/relay-harness.ts'], {
      cwd: ROOT,
      env: { ...process.env, FAULT_DB: db, FAULT_TOPIC: topic, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const blocked = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`harness never blocked:\n${output}`)), 60_000);
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /blocked (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child!.stdout!.on('data', take);
      child!.stderr!.on('data', take);
      child!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`harness exited with ${code}:\n${output}`));
      });
    });
    // Writers are still committing while the relay hangs after Kafka's acknowledgement.
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    const unsentAtKill = await count('outbox where sent_at is null');
    expect(unsentAtKill).toBeGreaterThanOrEqual(blocked);

    // A second relay takes over; rows the dead session still had locked are skipped until
    // Postgres has ended that session, so it polls until nothing is left.
    const relay = new OutboxRelay({ orm, bus: new KafkaBus(kafka, producer), logger, batchSize: 500 });
    await waitFor(
      async () => {
        await relay.drain();
        return (await count('outbox where sent_at is null')) === 0;
      },
      60_000,
      100,
    );
    // Counted only now: a commit the child sent just before it died can still land after the kill.
    const committed = await count('outbox');
    await waitFor(
      async () => (await count('(select distinct message_id from relay_effect) e')) >= committed,
      60_000,
      100,
    );
    const converged = Date.now() - killedAt;
    await waitFor(() => seen.size >= committed, 60_000, 100);
    // Anything still in flight would show up as a duplicate now rather than later.
    await new Promise((r) => setTimeout(r, 500));

    const [row] = await orm.em.fork().execute<{ lost: number; effects: number; distinct_ids: number }[]>(
      `select
         (select count(*)::int from outbox o where not exists
            (select 1 from relay_effect e where e.message_id = o.id)) as lost,
         (select count(*)::int from relay_effect) as effects,
         (select count(distinct message_id)::int from relay_effect) as distinct_ids`,
    );
    const duplicated = row!.effects - row!.distinct_ids;
    const redelivered = [...seen.values()].filter((n) => n > 1).length;
    report('relay SIGKILL between publish and mark', {
      committed,
      unsentAtKill,
      killedBatch: blocked,
      redeliveredByKafka: redelivered,
      lost: row!.lost,
      duplicatedEffects: duplicated,
      stuck: await count('outbox where sent_at is null'),
      convergeMs: converged,
    });
    expect(row!.lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(row!.distinct_ids).toBe(committed);
    // The killed batch reached Kafka before the kill and again from the second relay.
    expect(redelivered).toBeGreaterThanOrEqual(blocked);
  }, 150_000);
});
