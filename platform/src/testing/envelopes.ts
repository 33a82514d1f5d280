import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { newId } from '@marketplace/shared-kernel';
import type { EventEnvelope } from '@marketplace/event-contracts';
import { toEnvelope } from '../messaging/outbox.js';

/** A short unique suffix so parallel test files never share databases, topics or groups. */
export const uniqueSuffix = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/**
 * An envelope around a payload as its producer would publish it, checked against the contract:
 * a test message off contract would only be dead-lettered by the consumer under test.
 */
export function testEnvelope(
  type: string,
  aggregateType: string,
  aggregateId: string,
  payload: object,
  /** `producer` defaults to the type's context; commands name the service that sends them. */
  options: { version?: number; correlationId?: string; causationId?: string | null; producer?: string } = {},
): EventEnvelope {
  return toEnvelope(
    { type, version: options.version ?? 1, aggregateType, aggregateId, occurredAt: new Date(), payload },
    {
      producer: options.producer ?? type.split('.')[0]!,
      correlationId: options.correlationId ?? newId(),
      causationId: options.causationId,
    },
  );
}

/** Publishes envelopes keyed by aggregate id (as the relay does), acknowledged by every replica. */
export async function publishEnvelopes(
  producer: Producer,
  topic: string,
  ...envelopes: EventEnvelope[]
): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: envelopes.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })),
  });
}

/**
 * Writes an unsent outbox row as `appendToOutbox` would, with a probe envelope of about `size`
 * characters (a size past a topic's `max.message.bytes` makes a row the bus refuses for good).
 */
export async function writeOutboxProbe(
  em: { execute(sql: string, params: unknown[]): Promise<unknown> },
  topic: string,
  key: string,
  size = 100,
): Promise<string> {
  const id = newId();
  const envelope = {
    id,
    type: 'test.probe',
    version: 1,
    aggregateId: key,
    correlationId: `c-${id}`,
    pad: 'x'.repeat(size),
  };
  await em.execute(
    `insert into outbox (id, topic, message_key, event_type, event_version, envelope)
     values (?, ?, ?, 'test.probe', 1, ?::jsonb)`,
    [id, topic, key, JSON.stringify(envelope)],
  );
  return id;
}
