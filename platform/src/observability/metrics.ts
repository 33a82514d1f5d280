import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageBus } from '../messaging/bus.js';
import { RELAYABLE } from '../messaging/outbox.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Orm } from '../persistence/orm.js';
import { withTimeout } from '../timeout.js';

/** How a request ended: answered (`ok`), answered with GraphQL errors or a 5xx (`error`), refused before it ran. */
export type RequestOutcome = 'ok' | 'error' | 'refused';

/** One sample of a gauge read at scrape time. */
export interface ScrapedSample {
  labels?: Record<string, string | number>;
  value: number;
}

export interface ScrapedGaugeSpec {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /**
   * Reads the current values. A failed read is reported as NaN ("unknown", not 0) for a gauge
   * without labels, as no samples for a labelled one, and counted in
   * `metrics_scrape_errors_total` (visible from the next scrape on).
   */
  read(): Promise<readonly ScrapedSample[]>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus registry of one service, served as `GET /metrics`. Every series carries the
 * `service` label; the process metrics of prom-client (CPU, memory, event loop lag, GC) are
 * included. Values that live in a database or the broker (outbox backlog, consumer lag, saga
 * states) are read when scraped, so they are never stale and cost nothing between scrapes.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'operation_type' | 'outcome'>;
  private readonly messages: Counter<'group' | 'outcome'>;
  private readonly deadLetters: Counter<'group'>;
  private readonly scrapeErrors: Counter<'metric'>;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(
    readonly service: string,
    options: { processMetrics?: boolean } = {},
  ) {
    this.registry.setDefaultLabels({ service });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'request_duration_seconds',
      help: 'GraphQL/HTTP request duration by operation type (query, mutation, webhook, unknown) and outcome',
      labelNames: ['operation_type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.messages = new Counter({
      name: 'consumer_messages_total',
      help: 'Consumed messages by consumer group and outcome (processed, duplicate, skipped, dead-lettered)',
      labelNames: ['group', 'outcome'],
      registers: [this.registry],
    });
    this.deadLetters = new Counter({
      name: 'dead_letters_total',
      help: 'Messages a consumer group sent to its dead-letter topic',
      labelNames: ['group'],
      registers: [this.registry],
    });
    this.scrapeErrors = new Counter({
      name: 'metrics_scrape_errors_total',
      help: 'Scrape-time reads that failed (the metric has no samples in that scrape)',
      labelNames: ['metric'],
      registers: [this.registry],
    });
  }

  observeRequest(operationType: string, outcome: RequestOutcome, seconds: number): void {
    this.requestDuration.observe({ operation_type: operationType, outcome }, seconds);
  }

  /** Counts a consumed message; a dead-lettered one also counts toward `dead_letters_total`. */
  messageHandled(group: string, outcome: string): void {
    this.messages.inc({ group, outcome });
    if (outcome === 'dead-lettered') this.deadLetters.inc({ group });
  }

  /** A gauge whose samples are read from their source each time `/metrics` is scraped. */
  scrapedGauge(spec: ScrapedGaugeSpec): void {
    const { scrapeErrors } = this;
    // Overlapping scrapes share one read, and a read that hangs (a broker away, a locked table)
    // gives up in time: one metric goes missing, never the whole scrape behind Prometheus's timeout.
    let inFlight: Promise<readonly ScrapedSample[]> | undefined;
    const read = () =>
      (inFlight ??= withTimeout(spec.read(), SCRAPE_READ_TIMEOUT_MS, spec.name).finally(() => {
        inFlight = undefined;
      }));
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        // Samples of a label set that disappeared (a drained partition, a state with no rows
        // that the reader leaves out) must not linger from an earlier scrape.
        this.reset();
        try {
          for (const sample of await read()) {
            if (sample.labels) this.set(sample.labels, sample.value);
            else this.set(sample.value);
          }
        } catch {
          this.reset();
          if (!spec.labelNames?.length) this.set(Number.NaN);
          scrapeErrors.inc({ metric: spec.name });
        }
      },
    });
  }

  /** Runs when the service stops (closes what scrape-time readers opened, e.g. a Kafka admin). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((close) => close().catch(() => undefined)));
  }

  /** The `GET /metrics` handler, in the Prometheus text format. */
  readonly route = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await this.registry.metrics();
    res.statusCode = 200;
    res.setHeader('content-type', this.registry.contentType);
    res.end(body);
  };
}

/**
 * `outbox_backlog` (unsent rows), `outbox_lag_seconds` (age of the oldest row the relay is still
 * to publish; 0 when none: dead rows and the rows they hold back wait for an operator and are
 * counted by `outbox_dead_rows` instead, so the lag keeps meaning "the bus takes no messages") and
 * `outbox_dead_rows` (rows the bus refused for good, waiting for an operator) from the service's
 * outbox table. Rows an operator discarded are in none of them: they will never be sent and wait
 * for nobody. One query serves the gauges of a scrape; it reads the partial index of
 * unsent rows, so its cost is the backlog's size, not the table's.
 */
export function observeOutbox(metrics: ServiceMetrics, orm: Orm): void {
  // The gauges are collected in the same pass of a scrape: the later ones join the query in flight.
  let inFlight: Promise<{ backlog: number; lag: number; dead: number }> | undefined;
  const read = () =>
    (inFlight ??= (orm.em.fork() as EntityManager)
      .execute<{ backlog: string | number; lag: string | number | null; dead: string | number }[]>(
        `select count(*) as backlog,
           (select greatest(extract(epoch from clock_timestamp() - min(o.created_at)), 0)
              from outbox o where ${RELAYABLE}) as lag,
           count(*) filter (where dead_at is not null) as dead
         from outbox where sent_at is null and discarded_at is null`,
      )
      .then(([row]) => ({
        backlog: Number(row?.backlog ?? 0),
        lag: Number(row?.lag ?? 0),
        dead: Number(row?.dead ?? 0),
      }))
      .finally(() => (inFlight = undefined)));
  metrics.scrapedGauge({
    name: 'outbox_backlog',
    help: 'Outbox rows committed but not yet published (dead rows and the rows they hold back included, discarded rows not)',
    read: async () => [{ value: (await read()).backlog }],
  });
  metrics.scrapedGauge({
    name: 'outbox_lag_seconds',
    help: 'Age in seconds of the oldest outbox row the relay is still to publish (0 when none; dead rows and the rows they hold back excluded)',
    read: async () => [{ value: (await read()).lag }],
  });
  metrics.scrapedGauge({
    name: 'outbox_dead_rows',
    help: 'Outbox rows the bus refused for good (too large, invalid): unsent, holding back their key until released',
    read: async () => [{ value: (await read()).dead }],
  });
}

export interface ConsumerGroupRef {
  groupId: string;
  topics: readonly string[];
}

/**
 * `consumer_lag{group,topic,partition}`: messages a group has not committed yet, asked from the
 * bus when scraped (on Kafka: committed offsets against the partitions' high watermarks;
 * kafkajs's END_BATCH_PROCESS event also reports an `offsetLag`, but only when a batch
 * arrives, so a stuck or stopped consumer would keep showing its last, small lag).
 */
export function observeConsumerLag(
  metrics: ServiceMetrics,
  bus: MessageBus,
  groups: readonly ConsumerGroupRef[],
): void {
  if (groups.length === 0) return;
  metrics.scrapedGauge({
    name: 'consumer_lag',
    help: 'Messages not yet consumed (committed) by a consumer group, per topic partition',
    labelNames: ['group', 'topic', 'partition'],
    read: async () =>
      (await bus.consumerLag(groups)).map(({ groupId, topic, partition, lag }) => ({
        labels: { group: groupId, topic, partition },
        value: lag,
      })),
  });
}

/** How long a scrape-time read may take before its metric is left out of the scrape. */
const SCRAPE_READ_TIMEOUT_MS = 3_000;
