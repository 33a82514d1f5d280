/**
 * The event bus port: what the outbox relay publishes to and what consumer runners read from.
 * Two adapters keep the same delivery contract, checked by one contract suite
 * (platform/test/bus.contract.ts):
 * - `KafkaBus` (services profile): topics on a Kafka cluster;
 * - `LocalBus` (embedded profile): a durable log in an embedded Postgres, in this process.
 *
 * The contract:
 * - `publish` resolves only once every message is durably accepted; a rejected publish may
 *   have accepted some of them (the relay then publishes them again: at-least-once);
 * - messages with the same key land on the same partition and are delivered in the order they
 *   were published;
 * - a group receives every message of its topics at least once: a message whose handler throws
 *   is not committed and is delivered again, before any later message of its partition;
 * - a group resumes after its last committed message when it subscribes again.
 */

export interface BusMessage {
  /** The partitioning key (the aggregate id): one key, one partition, one order. */
  key: string | null;
  /** The envelope as JSON text. */
  value: string;
  headers?: Record<string, string>;
}

export interface DeliveredMessage {
  topic: string;
  partition: number;
  /** Position in the partition, as a decimal string (Kafka's offsets do not fit a double). */
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Where a group without a committed position starts: the oldest message, or only new ones. */
  fromBeginning: boolean;
  /** Partitions handled at the same time; messages of one partition are always handled in order. */
  partitionsConsumedConcurrently: number;
  /** How long the group keeps a silent member (Kafka); a heartbeat resets it. */
  sessionTimeoutMs: number;
  /**
   * Handles one message. Resolving commits it; throwing leaves it uncommitted and it is
   * delivered again. `heartbeat` tells the bus the handler is alive during long waits.
   */
  eachMessage(message: DeliveredMessage, heartbeat: () => Promise<void>): Promise<void>;
}

export interface Subscription {
  /** Stops fetching, waits for the messages in hand, leaves the group. */
  stop(): Promise<void>;
}

export interface MessageBus {
  /** Which adapter this is, for logs and readiness: `kafka` or `local`. */
  readonly kind: string;
  /** Creates missing topics (never implicitly on publish). */
  ensureTopics(topics: string[]): Promise<void>;
  /** Every topic there is (operations finds the dead-letter topics with it). */
  listTopics(): Promise<string[]>;
  /** Messages each group has not committed yet, per partition of its topics (for /metrics). */
  consumerLag(groups: readonly { groupId: string; topics: readonly string[] }[]): Promise<PartitionLag[]>;
  publish(batches: { topic: string; messages: BusMessage[] }[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Releases the bus's connections; subscriptions must be stopped first. */
  close(): Promise<void>;
}

export interface PartitionLag {
  groupId: string;
  topic: string;
  partition: number;
  lag: number;
}

export const DEFAULT_PARTITIONS = 3;

/** Headers as Kafka hands them over: a value may be a buffer, or a list of them. */
export type RawHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

/** Header values as strings (of a list, the first value counts). */
export function stringHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
