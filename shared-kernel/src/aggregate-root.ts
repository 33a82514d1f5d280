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

/**
 * The events an aggregate may raise, keyed by contract (`<type>@<version>`, e.g.
 * `orders.order-placed@1`) with their payload types. The domain declares it without importing
 * the contracts package; the platform's `track()` checks at compile time that every key is a
 * published contract and every payload fits its schema's generated type.
 */
export type EventMap = { readonly [contract: string]: object };

/** The domain event a map's entry stands for. */
export type EventOf<M extends EventMap> = {
  [K in keyof M & string]: DomainEvent<M[K]> & {
    readonly type: K extends `${infer T}@${string}` ? T : never;
    readonly version: K extends `${string}@${infer V extends number}` ? V : never;
  };
}[keyof M & string];

/** Identity equality, whatever the other fields hold. */
export abstract class Entity {
  abstract readonly id: string;
  equals(other: Entity | null | undefined): boolean {
    return !!other && other.constructor === this.constructor && other.id === this.id;
  }
}

/**
 * Aggregate roots raise their own events; the use case's transaction drains them with
 * pullEvents() into the outbox in the same transaction as the state change. The ORM does not
 * run constructors when it loads an aggregate, so the event list is created lazily.
 */
export abstract class AggregateRoot<M extends EventMap = EventMap> extends Entity {
  private pendingEvents?: EventOf<M>[];

  /** The `aggregateType` of raised events; the class name unless overridden. */
  protected get aggregateType(): string {
    return this.constructor.name;
  }

  /**
   * The one way to record an event: its contract key and payload, typed by the aggregate's
   * event map. The event is about this aggregate unless `about` names another id.
   */
  protected raise<K extends keyof M & string>(
    contract: K,
    payload: M[K],
    about: { aggregateId?: string; aggregateType?: string; occurredAt?: Date } = {},
  ): void {
    const at = contract.lastIndexOf('@');
    const version = Number(contract.slice(at + 1));
    if (at <= 0 || !Number.isSafeInteger(version) || version < 1)
      throw new Error(`event key ${contract} is not <type>@<version>`);
    const event = {
      type: contract.slice(0, at),
      version,
      aggregateType: about.aggregateType ?? this.aggregateType,
      aggregateId: about.aggregateId ?? this.id,
      occurredAt: about.occurredAt ?? new Date(),
      payload,
    } as unknown as EventOf<M>;
    (this.pendingEvents ??= []).push(event);
  }

  pullEvents(): EventOf<M>[] {
    const events = this.pendingEvents ?? [];
    this.pendingEvents = [];
    return events;
  }

  peekEvents(): readonly EventOf<M>[] {
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

/** Anything whose recorded events a transaction drains into the outbox. */
export interface EventSource {
  pullEvents(): DomainEvent[];
}
