/**
 * Why a publish failed, as the outbox relay needs to know it: a `permanent` refusal is the
 * broker saying no to the records themselves (too large for the topic, a record its validation
 * rejects), so the same rows will be refused however often they are sent again; anything else
 * is `transient` (a broker away, a leader moving, a timeout, a request kafkajs gave up retrying)
 * and the batch is retried with backoff.
 *
 * Only record-level refusals count as permanent. Other errors kafkajs calls non-retriable (an
 * ACL refusing the topic, an unsupported version) hold for every row of a topic or of the
 * cluster: marking rows dead for them would throw a whole topic's events away over a
 * configuration slip, so they are retried like a broker away, and logged on every attempt.
 */
export type PublishFailure = 'permanent' | 'transient';

/**
 * Kafka's error codes (kafkajs's `type`) that refuse a record for what it is. kafkajs marks each
 * of them `retriable: false`. RECORD_LIST_TOO_LARGE refuses a batch larger than a segment: sent
 * alone, the row that still gets it is larger than a segment itself.
 */
export const PERMANENT_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
]);

interface ErrorShape {
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The kafkajs type of the error or of one it wraps (a `cause`, or one of an aggregate's `errors`). */
export function refusalType(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const shape = error as ErrorShape;
  if (typeof shape.type === 'string' && shape.retriable === false && PERMANENT_REFUSALS.has(shape.type))
    return shape.type;
  const inner = [shape.cause, ...(Array.isArray(shape.errors) ? (shape.errors as unknown[]) : [])];
  for (const wrapped of inner) {
    const found = refusalType(wrapped, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Tells a refusal of the records themselves from a failure that may pass. */
export function classifyPublishFailure(error: unknown): PublishFailure {
  return refusalType(error) ? 'permanent' : 'transient';
}
