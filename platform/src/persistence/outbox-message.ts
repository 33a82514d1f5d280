import { EntitySchema } from '@mikro-orm/core';
import type { EventEnvelope } from '@marketplace/event-contracts';

/** A row of the transactional outbox: one integration event waiting for the relay. */
export class OutboxMessage {
  constructor(
    readonly id: string,
    readonly topic: string,
    /** The Kafka key: the aggregate id, so events of one aggregate stay in order. */
    readonly messageKey: string,
    readonly eventType: string,
    readonly eventVersion: number,
    readonly envelope: EventEnvelope,
  ) {}
  createdAt: Date = new Date();
  sentAt: Date | null = null;
  attempts = 0;
  lastError: string | null = null;
  /** Set when the bus refused the row for good: it stays unsent and holds back its key. */
  deadAt: Date | null = null;
  /** Set when an operator gave a dead row up (`discardDeadOutboxRow`): never sent, no longer holding back its key. */
  discardedAt: Date | null = null;
  discardReason: string | null = null;
}

export const OutboxMessageSchema = new EntitySchema<OutboxMessage>({
  class: OutboxMessage,
  tableName: 'outbox',
  properties: {
    id: { type: 'uuid', primary: true },
    topic: { type: 'text' },
    messageKey: { type: 'text' },
    eventType: { type: 'text' },
    eventVersion: { type: 'integer' },
    envelope: { type: 'json' },
    createdAt: { type: 'datetime' },
    sentAt: { type: 'datetime', nullable: true },
    attempts: { type: 'integer' },
    lastError: { type: 'text', nullable: true },
    deadAt: { type: 'datetime', nullable: true },
    discardedAt: { type: 'datetime', nullable: true },
    discardReason: { type: 'text', nullable: true },
  },
});
