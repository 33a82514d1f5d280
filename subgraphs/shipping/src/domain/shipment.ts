import {
  AggregateRoot,
  Guard,
  StateMachine,
  closedSet,
  combine,
  domainError,
  newId,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/** Declared once: the GraphQL enum and the table's CHECK derive from it. */
export const SHIPMENT_STATUS = closedSet('ShipmentStatus', [
  'PENDING',
  'DISPATCHED',
  'DELIVERED',
  'CANCELLED',
]);
export type ShipmentStatus = MemberOf<typeof SHIPMENT_STATUS>;

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

/** The events a shipment raises, by contract. */
export type ShipmentEvents = {
  'shipping.shipment-created@1': ShipmentEventPayload;
  'shipping.shipment-dispatched@1': ShipmentEventPayload;
  'shipping.shipment-delivered@1': ShipmentEventPayload;
};

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
export class Shipment extends AggregateRoot<ShipmentEvents> {
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
    shipment.note('PENDING', 'Waiting for the seller to dispatch', now, 'shipping.shipment-created@1');
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
    const [carrierName, tracking] = checked.value;
    return this.move(
      'DISPATCHED',
      `${carrierName} ${tracking}`,
      now,
      'shipping.shipment-dispatched@1',
      () => {
        [this._carrier, this._trackingNumber] = [carrierName, tracking];
      },
    );
  }

  /** The parcel arrived. */
  deliver(now: Date): Result<void> {
    return this.move('DELIVERED', null, now, 'shipping.shipment-delivered@1');
  }

  /**
   * The order was cancelled or refunded: nothing will be sent. ok(false) when already cancelled;
   * a parcel already on its way cannot be called back (SHIPMENT.INVALID_TRANSITION).
   * No integration event: orders already knows, it caused this.
   */
  cancel(reason: string, now: Date): Result<boolean> {
    if (this._status === 'CANCELLED') return ok(false);
    const moved = this.move('CANCELLED', reason.slice(0, 200), now, null);
    return moved.ok ? ok(true) : moved;
  }

  /** The only way the status changes: through the lifecycle table, then noted and raised. */
  private move(
    to: ShipmentStatus,
    note: string | null,
    now: Date,
    event: keyof ShipmentEvents | null,
    apply: () => void = () => {},
  ): Result<void> {
    const moved = shipmentLifecycle.transition(this._status, to);
    if (!moved.ok) return moved;
    apply();
    this._status = moved.value;
    this.note(moved.value, note, now, event);
    return ok(undefined);
  }

  private note(
    status: ShipmentStatus,
    note: string | null,
    now: Date,
    event: keyof ShipmentEvents | null,
  ): void {
    this._timeline = [...this._timeline, { at: now.toISOString(), status, note }];
    this._version += 1;
    this._updatedAt = now;
    if (!event) return;
    this.raise(
      event,
      {
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
      { occurredAt: now },
    );
  }
}
