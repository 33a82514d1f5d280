import { AggregateRoot, newId, ok } from '@marketplace/shared-kernel';
import type { PayloadOf } from '@marketplace/event-contracts';
import {
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
  type Orm,
  type Producer,
} from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import type { Scenario } from '../lib/scenario.js';
import { median, percentile, ratio } from '../lib/stats.js';
import { dropDatabase, fmt, table } from '../lib/bench-support.js';

/**
 * A listing aggregate as a seller edits it: every transaction writes its row and the contract
 * event it raised, through the platform's own unit of work and outbox.
 */
class Listing extends AggregateRoot<{
  'products.product-updated@1': PayloadOf<'products.product-updated@1'>;
}> {
  readonly id = newId();
  readonly sellerId = newId();
  protected override get aggregateType() {
    return 'Product';
  }
  edit(): this {
    this.raise('products.product-updated@1', {
      productId: this.id,
      sellerId: this.sellerId,
      version: 2,
      snapshot: {
        name: 'Bench listing',
        description: 'A listing edited by the outbox benchmark',
        price: { amount: 1999, currency: 'EUR' },
        status: 'PUBLISHED',
      },
    });
    return this;
  }
}

/**
 * The bench database's outbox rows go to a private topic instead of the contract's, so the
 * run never floods a topic other consumers replay. The relay itself is the production code.
 */
async function createBenchTables(orm: Orm, topic: string): Promise<void> {
  const em = orm.em.fork();
  await em.execute(
    'create table listing (id uuid primary key, seller_id uuid not null, edited_at timestamptz)',
  );
  await em.execute(`create function bench_private_topic() returns trigger language plpgsql as $$
    begin new.topic := '${topic}'; return new; end $$`);
  await em.execute(
    'create trigger bench_private_topic before insert on outbox for each row execute function bench_private_topic()',
  );
}

const meta = { producer: 'bench', correlationId: 'bench-outbox' };

async function writeListings(orm: Orm, count: number): Promise<string[]> {
  const listings = Array.from({ length: count }, () => new Listing().edit());
  const result = await inTransaction(orm.em, meta, async (scope) => {
    for (const l of listings) scope.track(l);
    await scope.em.execute(
      `insert into listing (id, seller_id, edited_at) select unnest(?::uuid[]), unnest(?::uuid[]), now()`,
      // Postgres array literals: the ORM would expand a JS array into a list of parameters.
      [`{${listings.map((l) => l.id).join(',')}}`, `{${listings.map((l) => l.sellerId).join(',')}}`],
    );
    return ok(listings.length);
  });
  if (!result.ok) throw new Error(`bench write rejected: ${result.error.code}`);
  return listings.map((l) => l.id);
}

const unsent = async (orm: Orm) =>
  Number(
    (
      await orm.em
        .fork()
        .execute<{ n: number }[]>('select count(*)::int as n from outbox where sent_at is null')
    )[0]!.n,
  );

interface SustainedRun {
  offeredPerSecond: number;
  committed: number;
  ingestPerSecond: number;
  relayedPerSecond: number;
  commitToConsumerP50: number;
  commitToConsumerP99: number;
  commitToAppendP99: number;
}

interface DrainRun {
  relays: number;
  backlog: number;
  seconds: number;
  perSecond: number;
}

export const scenario: Scenario = {
  id: '4-outbox-relay',
  title: 'Outbox relay',
  async run({ runs, durationSeconds, log }) {
    const config = loadConfig();
    const suffix = uniqueSuffix();
    const topic = `bench.outbox-relay.${suffix}`;
    const dbName = `mp_bench_relay_${suffix}`;
    const kafka = createKafka(`bench-relay-${suffix}`, config.kafkaBrokers);
    const logger = createLogger('bench-relay');
    const orm = await createOrm({
      postgresUrl: config.postgresUrl,
      dbName,
      entities: [],
      migrations: [],
      poolMax: 24,
    });
    await migrate(orm);
    await createBenchTables(orm, topic);
    await ensureTopics(kafka, [topic]);

    // Receipt side: a plain consumer on the private topic notes when each key arrives.
    const committedAt = new Map<string, number>();
    const toConsumer: number[] = [];
    const toAppend: number[] = [];
    let received = 0;
    const consumer = kafka.consumer({ groupId: `bench-relay-${suffix}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          received++;
          const at = committedAt.get(m.key!.toString());
          if (at === undefined) continue;
          committedAt.delete(m.key!.toString());
          toConsumer.push(now - at);
          toAppend.push(Number(m.timestamp) - at);
        }
      },
    });
    await joined;

    const producers: Producer[] = [];
    const relayOf = async () => {
      const producer = await connectProducer(kafka);
      producers.push(producer);
      return new OutboxRelay({ orm, bus: new KafkaBus(kafka, producer), logger });
    };

    const sustained: SustainedRun[] = [];
    const drains: DrainRun[] = [];
    try {
      // 1. Sustained ingest at a steady offered rate, the relay running as services run it
      //    (polling, nudged after every commit).
      const offered = Number(process.env.BENCH_OUTBOX_RATE ?? 2_500);
      const perTx = 5;
      for (let run = 0; run < runs; run++) {
        const relay = await relayOf();
        relay.start();
        toConsumer.length = 0;
        toAppend.length = 0;
        const startReceived = received;
        const started = Date.now();
        const end = started + durationSeconds * 1000;
        let committed = 0;
        const inFlight = new Set<Promise<void>>();
        const interval = (perTx / offered) * 1000;
        for (let next = started; Date.now() < end; next += interval) {
          const wait = next - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (inFlight.size >= 20) await Promise.race(inFlight);
          const p = writeListings(orm, perTx).then((ids) => {
            const at = Date.now();
            for (const id of ids) committedAt.set(id, at);
            committed += ids.length;
            relay.nudge();
          });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        await Promise.all(inFlight);
        const writeSeconds = (Date.now() - started) / 1000;
        while ((await unsent(orm)) > 0 || committedAt.size > 0) await new Promise((r) => setTimeout(r, 50));
        const totalSeconds = (Date.now() - started) / 1000;
        await relay.stop();
        sustained.push({
          offeredPerSecond: offered,
          committed,
          ingestPerSecond: Math.round(committed / writeSeconds),
          relayedPerSecond: Math.round((received - startReceived) / totalSeconds),
          commitToConsumerP50: percentile(toConsumer, 50),
          commitToConsumerP99: percentile(toConsumer, 99),
          commitToAppendP99: percentile(toAppend, 99),
        });
        log(`outbox sustained run ${run + 1}: ${JSON.stringify(sustained.at(-1))}`);
      }

      // 2. A backlog drained by one relay, then by two sharing the outbox.
      const backlog = Number(process.env.BENCH_OUTBOX_BACKLOG ?? 20_000);
      for (let run = 0; run < runs; run++) {
        for (const relays of [1, 2]) {
          for (let written = 0; written < backlog; written += 500) await writeListings(orm, 500);
          const instances = await Promise.all(Array.from({ length: relays }, relayOf));
          const started = performance.now();
          await Promise.all(instances.map((r) => r.drain()));
          // A relay stops when it finds nothing it may claim; the other may still hold rows.
          while ((await unsent(orm)) > 0) await Promise.all(instances.map((r) => r.drain()));
          const seconds = (performance.now() - started) / 1000;
          drains.push({ relays, backlog, seconds, perSecond: Math.round(backlog / seconds) });
          log(`outbox drain run ${run + 1}: ${JSON.stringify(drains.at(-1))}`);
        }
      }
    } finally {
      await consumer.disconnect();
      await Promise.all(producers.map((p) => p.disconnect()));
      await orm.close(true);
      await dropDatabase(config.postgresUrl, dbName);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }

    const m = <T>(rows: T[], pick: (r: T) => number) => median(rows.map(pick));
    const oneRelay = m(
      drains.filter((d) => d.relays === 1),
      (d) => d.perSecond,
    );
    const twoRelays = m(
      drains.filter((d) => d.relays === 2),
      (d) => d.perSecond,
    );
    const p99 = m(sustained, (s) => s.commitToConsumerP99);
    const figures = {
      sustained: {
        offeredPerSecond: sustained[0]?.offeredPerSecond,
        ingestPerSecond: m(sustained, (s) => s.ingestPerSecond),
        relayedPerSecond: m(sustained, (s) => s.relayedPerSecond),
        commitToConsumerP50: m(sustained, (s) => s.commitToConsumerP50),
        commitToConsumerP99: p99,
        commitToAppendP99: m(sustained, (s) => s.commitToAppendP99),
      },
      drain: { oneRelay, twoRelays, twoOverOne: ratio(twoRelays, oneRelay) },
    };
    const markdown = [
      `Writers commit aggregate changes with their events through \`inTransaction\` + outbox (${5} events per transaction) into a bench database while one \`OutboxRelay\` (polling, nudged after each commit) publishes to a private Kafka topic. Latency is from the writer's commit to a consumer's receipt (and to the broker's append timestamp). Then a backlog is drained by one relay and by two relays sharing the outbox (both in this process).`,
      '',
      table(
        ['measure', 'value', 'target', 'met'],
        [
          ['offered ingest (events/s)', fmt(figures.sustained.offeredPerSecond ?? 0), '', ''],
          ['committed ingest (events/s)', fmt(figures.sustained.ingestPerSecond), '', ''],
          ['relayed while ingesting (msgs/s)', fmt(figures.sustained.relayedPerSecond), '', ''],
          ['commit → consumer p50 (ms)', fmt(figures.sustained.commitToConsumerP50), '', ''],
          ['commit → consumer p99 (ms)', fmt(p99), '≤ 250', p99 <= 250 ? 'yes' : 'no'],
          ['commit → broker append p99 (ms)', fmt(figures.sustained.commitToAppendP99), '', ''],
          ['backlog drain, one relay (msgs/s)', fmt(oneRelay), '≥ 2,000', oneRelay >= 2_000 ? 'yes' : 'no'],
          ['backlog drain, two relays (msgs/s)', fmt(twoRelays), '', ''],
          ['two relays ÷ one relay', String(figures.drain.twoOverOne), '', ''],
        ],
      ),
    ].join('\n');
    return { markdown, data: { figures, sustained, drains } };
  },
};
