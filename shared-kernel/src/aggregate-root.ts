/**
 * A fact the aggregate records about itself. `type` and `version` name the integration
 * contract it is published under (e.g. `products.product-created`, 1).
 */
export interface DomainEvent<P extends object = object> {
  readonly type: string;
  readonly version: number;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly occurredAt: Date;
  readonly payload: P;
}

/** Identity equality, whatever the other fields hold. */
export abstract class Entity {
  abstract readonly id: string;
  equals(other: Entity | null | undefined): boolean {
    return !!other && other.constructor === this.constructor && other.id === this.id;
  }
}

/**
 * Aggregate roots record their own events; the use case drains them with pullEvents()
 * into the outbox in the same transaction as the state change. The ORM does not run
 * constructors when it loads an aggregate, so the event list is created lazily.
 */
export abstract class AggregateRoot<E extends DomainEvent = DomainEvent> extends Entity {
  private pendingEvents?: E[];

  protected record(event: E): void {
    (this.pendingEvents ??= []).push(event);
  }

  pullEvents(): E[] {
    const events = this.pendingEvents ?? [];
    this.pendingEvents = [];
    return events;
  }

  peekEvents(): readonly E[] {
    return this.pendingEvents ?? [];
  }
}

/** Structural equality for immutable values. */
export abstract class ValueObject<P extends object> {
  protected constructor(protected readonly props: Readonly<P>) {
    Object.freeze(this.props);
  }
  equals(other: ValueObject<P> | null | undefined): boolean {
    return (
      !!other &&
      other.constructor === this.constructor &&
      JSON.stringify(other.props) === JSON.stringify(this.props)
    );
  }
}
