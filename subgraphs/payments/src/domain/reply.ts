import { LegacyAggregateRoot, type DomainEvent } from '@marketplace/shared-kernel';

/**
 * A reply about a payment this service cannot load (an invalid command, a refund of an unknown
 * payment): the saga still gets an answer through the outbox, so it does not wait for a timeout.
 */
export class PaymentReply extends LegacyAggregateRoot<DomainEvent> {
  constructor(
    readonly id: string,
    type: string,
    payload: Record<string, unknown>,
    now: Date,
  ) {
    super();
    this.record({ type, version: 1, aggregateType: 'Payment', aggregateId: id, occurredAt: now, payload });
  }
}
