import { AggregateRoot } from '@marketplace/shared-kernel';
import type { PaymentEvents } from './payment.js';

/** The replies sent about a payment this service cannot load. */
type ReplyEvents = Pick<PaymentEvents, 'payments.payment-failed@1' | 'payments.refund-failed@1'>;

/**
 * A reply about a payment this service cannot load (an invalid command, a refund of an unknown
 * payment): the saga still gets an answer through the outbox, so it does not wait for a timeout.
 */
export class PaymentReply<
  K extends keyof ReplyEvents = keyof ReplyEvents,
> extends AggregateRoot<ReplyEvents> {
  constructor(
    readonly id: string,
    contract: K,
    payload: ReplyEvents[K],
    now: Date,
  ) {
    super();
    this.raise(contract, payload, { occurredAt: now });
  }

  protected override get aggregateType(): string {
    return 'Payment';
  }
}
