import {
  AggregateRoot,
  Guard,
  StateMachine,
  combine,
  domainError,
  newId,
  ok,
  type DomainError,
  type DomainEvent,
  type Result,
} from '@marketplace/shared-kernel';

export type ShipmentStatus = 'PENDING' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED';

/** The lifecycle as data: a parcel is dispatched once, delivered once, cancelled only before dispatch. */
export const shipmentLifecycle = new StateMachine<ShipmentStatus>('SHIPMENT', {
  PENDING: ['DISPATCHED', 'CANCELLED'],
  DISPATCHED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
});

export interface TimelineEntry {
  at: string;
  status: ShipmentStatus;
  note: string | null;
}

export interface ShipmentEventPayload {
  shipmentId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  occurredAt: string;
  version: number;
}

export const ShipmentErrors = {
  notFound: (): DomainError => domainError('SHIPMENT.NOT_FOUND', 'No such shipment', 'shipmentId'),
};

export interface NewShipment {
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
}

/**
 * A carrier's name and a tracking number reach the buyer's notifications verbatim, so they
 * follow strict patterns rather than the free-text rule alone: a carrier is 2-40 letters,
 * digits, spaces and `&.-` ("DHL Express", "La Poste", "S.F. Express"); a tracking number is
 * 4-40 letters, digits and hyphens, stored upper-case.
 */
export const CARRIER = {
  pattern: /^[\p{L}\p{N}][\p{L}\p{N} &.-]{1,39}$/u,
  description: '2-40 letters, digits, spaces or &.- (starting with a letter or digit)',
  max: 40,
};
export const TRACKING_NUMBER = {
  pattern: /^[A-Z0-9-]{4,40}$/,
  description: '4-40 letters, digits or hyphens',
  upperCase: true,
  max: 40,
};

/** The parcel of one seller's sub-order, from payment to the buyer's door. */
export class Shipment extends AggregateRoot<DomainEvent<ShipmentEventPayload>> {
  private constructor(
    readonly id: string,
    readonly orderId: string,
    readonly subOrderId: string,
    readonly sellerId: string,
    readonly buyerId: string,
    private _status: ShipmentStatus,
    private _carrier: string | null,
    private _trackingNumber: string | null,
    private _timeline: TimelineEntry[],
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  /** Created PENDING when the order is paid. */
  static create(input: NewShipment, now: Date, id: string = newId()): Result<Shipment> {
    const checked = combine(
      Guard.uuid('orderId', input.orderId),
      Guard.uuid('subOrderId', input.subOrderId),
      Guard.uuid('sellerId', input.sellerId),
      Guard.uuid('buyerId', input.buyerId),
    );
    if (!checked.ok) return checked;
    const [orderId, subOrderId, sellerId, buyerId] = checked.value;
    const shipment = new Shipment(
      id,
      orderId,
      subOrderId,
      sellerId,
      buyerId,
      'PENDING',
      null,
      null,
      [],
      0,
      now,
      now,
    );
    shipment.enter('PENDING', 'Waiting for the seller to dispatch', now, 'shipping.shipment-created');
    return ok(shipment);
  }

  get status(): ShipmentStatus {
    return this._status;
  }
  get carrier(): string | null {
    return this._carrier;
  }
  get trackingNumber(): string | null {
    return this._trackingNumber;
  }
  get timeline(): readonly TimelineEntry[] {
    return this._timeline;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }

  isSoldBy(sellerId: string | null | undefined): boolean {
    return !!sellerId && sellerId === this.sellerId;
  }

  /** The seller handed the parcel to a carrier. */
  dispatch(carrier: string, trackingNumber: string, now: Date): Result<void> {
    const checked = combine(
      Guard.pattern('carrier', carrier, CARRIER),
      Guard.pattern('trackingNumber', trackingNumber, TRACKING_NUMBER),
    );
    if (!checked.ok) return checked;
    const allowed = shipmentLifecycle.transition(this._status, 'DISPATCHED');
    if (!allowed.ok) return allowed;
    [this._carrier, this._trackingNumber] = checked.value;
    this.enter('DISPATCHED', `${this._carrier} ${this._trackingNumber}`, now, 'shipping.shipment-dispatched');
    return ok(undefined);
  }

  /** The parcel arrived. */
  deliver(now: Date): Result<void> {
    const allowed = shipmentLifecycle.transition(this._status, 'DELIVERED');
    if (!allowed.ok) return allowed;
    this.enter('DELIVERED', null, now, 'shipping.shipment-delivered');
    return ok(undefined);
  }

  /**
   * The order was cancelled or refunded: nothing will be sent. ok(false) when already cancelled;
   * a parcel already on its way cannot be called back (SHIPMENT.INVALID_TRANSITION).
   * No integration event: orders already knows, it caused this.
   */
  cancel(reason: string, now: Date): Result<boolean> {
    if (this._status === 'CANCELLED') return ok(false);
    const allowed = shipmentLifecycle.transition(this._status, 'CANCELLED');
    if (!allowed.ok) return allowed;
    this.enter('CANCELLED', reason.slice(0, 200), now, null);
    return ok(true);
  }

  private enter(status: ShipmentStatus, note: string | null, now: Date, eventType: string | null): void {
    this._status = status;
    this._timeline = [...this._timeline, { at: now.toISOString(), status, note }];
    this._version += 1;
    this._updatedAt = now;
    if (!eventType) return;
    this.record({
      type: eventType,
      version: 1,
      aggregateType: 'Shipment',
      aggregateId: this.id,
      occurredAt: now,
      payload: {
        shipmentId: this.id,
        orderId: this.orderId,
        subOrderId: this.subOrderId,
        sellerId: this.sellerId,
        buyerId: this.buyerId,
        status,
        carrier: this._carrier,
        trackingNumber: this._trackingNumber,
        occurredAt: now.toISOString(),
        version: this._version,
      },
    });
  }
}
