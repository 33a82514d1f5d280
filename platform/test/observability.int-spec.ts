import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { deadLetterTopic, type EventEnvelope } from '@marketplace/event-contracts';
import { newId } from '@marketplace/shared-kernel';
import {
  ConsumerRunner,
  createLogger,
  createOrm,
  inSpan,
  initTracing,
  KafkaBus,
  loadConfig,
  migrate,
  observeConsumerLag,
  observeOutbox,
  OutboxMessage,
  OutboxRelay,
  ServiceMetrics,
  SpanKind,
  toEnvelope,
  traceparentOf,
  type Orm,
  type Tracing,
} from '@marketplace/platform';
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';

/*
 * The outbox -> relay -> bus -> consumer path on real Postgres and Kafka keeps one trace (the
 * consumer's own outbox rows included), and /metrics shows the outbox backlog and lag and the
 * dead letters of a poison message. The topic is private to the run, so no history replays.
 */
const config = loadConfig();
const logger = createLogger('observability-test');
const suffix = uniqueSuffix();
const topic = `observability-test.${suffix}`;
const groupId = `observability-test.${suffix}`;
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let orm: Orm;
let bus: KafkaBus;
let relay: OutboxRelay;
let runner: ConsumerRunner;
let metrics: ServiceMetrics;
let server: Server;
let metricsUrl: string;
/** What the handler saw: the trace it ran in, per message id. */
const handledIn = new Map<string, string | undefined>();

/** A `cart.clear-cart` command (its payload is all ids), written to the outbox under the private topic. */
function writeCommand(em: EntityManager, correlationId: string): EventEnvelope {
  const id = newId();
  const envelope = toEnvelope(
    {
      type: 'cart.clear-cart',
      version: 1,
      aggregateType: 'Cart',
      aggregateId: id,
      occurredAt: new Date(),
      payload: { checkoutId: id, cartId: id, orderId: id, lineIds: [] },
    },
    { producer: 'checkout', correlationId },
  );
  em.persist(
    new OutboxMessage(envelope.id, topic, envelope.aggregateId, envelope.type, envelope.version, envelope),
  );
  return envelope;
}

const scrape = async () => (await fetch(metricsUrl)).text();
/** The value of one sample, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}
const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];

beforeAll(async () => {
  tracing = initTracing('observability-test', { exporter });
  orm = await createOrm({
    postgresUrl: config.postgresUrl,
    dbName: `mp_test_observability_${suffix.replace(/[^a-z0-9]/gi, '')}`,
    entities: [],
    migrations: [],
  });
  await migrate(orm);
  bus = await KafkaBus.connect(`observability-test-${suffix}`, config.kafkaBrokers);
  await bus.ensureTopics([topic, deadLetterTopic(groupId)]);
  relay = new OutboxRelay({ orm, bus, logger });
  metrics = new ServiceMetrics('observability-test');
  observeOutbox(metrics, orm);
  observeConsumerLag(metrics, bus, [{ groupId, topics: [topic] }]);
  runner = new ConsumerRunner({
    bus,
    orm,
    logger,
    groupId,
    topics: [topic],
    retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
    onOutcome: (outcome) => metrics.messageHandled(groupId, outcome),
    handlers: {
      'cart.clear-cart@1': async (envelope, em) => {
        handledIn.set(envelope.id, traceparentOf());
        // A reply written by the handler: it must continue the same trace.
        if (!envelope.correlationId.startsWith('reply-')) writeCommand(em, `reply-${envelope.correlationId}`);
      },
    },
  });
  await runner.start();
  server = createServer((req, res) => void metrics.route(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await relay?.stop();
  await metrics?.close();
  await new Promise((resolve) => server?.close(resolve));
  await bus?.close();
  await orm?.close(true);
});

describe('observability of the outbox -> relay -> consumer path', () => {
  it('shows unsent rows as outbox backlog and lag, then none once the relay published them', async () => {
    await orm.em.fork().transactional(async (em) => {
      writeCommand(em as EntityManager, 'backlog-1');
      writeCommand(em as EntityManager, 'backlog-2');
    });
    await new Promise((r) => setTimeout(r, 300));
    const before = await scrape();
    expect(sample(before, 'outbox_backlog', { service: 'observability-test' })).toBe(2);
    expect(sample(before, 'outbox_lag_seconds', { service: 'observability-test' })).toBeGreaterThanOrEqual(
      0.3,
    );

    // Published; their handlers write one reply each, published too.
    await waitFor(async () => (await relay.drain()) === 0 && handledIn.size >= 4, 60_000, 100);
    const after = await scrape();
    expect(sample(after, 'outbox_backlog', { service: 'observability-test' })).toBe(0);
    expect(sample(after, 'outbox_lag_seconds', { service: 'observability-test' })).toBe(0);
    expect(sample(after, 'consumer_messages_total', { group: groupId, outcome: 'processed' })).toBe(4);
  }, 90_000);

  it('keeps one trace id from the request through the outbox, the bus and the consumer to its reply', async () => {
    const request = await inSpan({ name: 'POST /graphql', kind: SpanKind.SERVER }, async () =>
      orm.em.fork().transactional(async (em) => writeCommand(em as EntityManager, `trace-${suffix}`)),
    );
    const traceId = traceIdOf(request.traceparent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(
      async () => {
        await relay.drain();
        return [...handledIn.values()].filter((t) => traceIdOf(t) === traceId).length >= 2;
      },
      60_000,
      100,
    );
    // The reply row the handler wrote carries the trace too.
    const [reply] = await orm.em
      .fork()
      .execute<{ traceparent: string }[]>(
        `select envelope->>'traceparent' as traceparent from outbox where envelope->>'correlationId' = ?`,
        [`reply-trace-${suffix}`],
      );
    expect(traceIdOf(reply?.traceparent)).toBe(traceId);

    // A consumer span ends after its handler's commit: wait until both have ended, not only run.
    const finished = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    await waitFor(
      async () => {
        await tracing.flush();
        return finished().filter((s) => s.name === `process ${topic}`).length >= 2;
      },
      10_000,
      50,
    );
    const spans = finished();
    const names = spans.map((s) => s.name);
    // Request, then per message (command and reply): a producer span and a consumer span.
    expect(names.filter((n) => n === `send ${topic}`)).toHaveLength(2);
    expect(names.filter((n) => n === `process ${topic}`)).toHaveLength(2);
    expect(names).toContain('POST /graphql');
    const processSpan = spans.find(
      (s) => s.name === `process ${topic}` && s.attributes['messaging.message.id'] === request.id,
    )!;
    const sendSpan = spans.find(
      (s) => s.name === `send ${topic}` && s.attributes['messaging.message.id'] === request.id,
    )!;
    // The consumer continued from the producer span's Kafka header.
    expect(processSpan.parentSpanContext?.spanId).toBe(sendSpan.spanContext().spanId);
  }, 90_000);

  it('counts a poison message as a dead letter and reports the group lag per partition', async () => {
    await bus.publish([{ topic, messages: [{ key: 'poison', value: 'not json' }] }]);
    await waitFor(
      async () => sample(await scrape(), 'dead_letters_total', { group: groupId }) === 1,
      60_000,
      200,
    );
    const text = await scrape();
    expect(sample(text, 'consumer_messages_total', { group: groupId, outcome: 'dead-lettered' })).toBe(1);
    // Every partition of the topic, with the group's committed position: nothing left behind.
    await waitFor(
      async () => {
        const current = await scrape();
        return [0, 1, 2].every(
          (partition) =>
            sample(current, 'consumer_lag', { group: groupId, topic, partition: String(partition) }) === 0,
        );
      },
      30_000,
      500,
    );
  }, 90_000);
});
