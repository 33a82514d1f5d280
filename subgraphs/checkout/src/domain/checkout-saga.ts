import {
  AggregateRoot,
  domainError,
  err,
  InvariantViolation,
  ok,
  StateMachine,
  type Result,
} from '@marketplace/shared-kernel';
import type { CheckoutEvents, NonEmpty, SagaCommand } from './checkout.events.js';
import {
  CHECKOUT_STEP,
  type CheckoutStatus,
  type CheckoutStep,
  type TimelineEvent,
  type PaymentProvider,
  type MoneyData,
  type Address,
  type CartSnapshot,
  type ShippingQuote,
  type SubOrderRef,
  type Discounts,
  type TimelineEntry,
  type Failure,
} from './checkout-values.js';

export * from './checkout-values.js';
export type { CheckoutEvents, SagaCommand } from './checkout.events.js';

/** What a participant answered, already mapped from its reply event by the consumer. */
export type SagaReply =
  | { kind: 'CART_SNAPSHOTTED'; snapshot: CartSnapshot }
  | { kind: 'SHIPPING_QUOTED'; quotes: ShippingQuote[] }
  | { kind: 'ORDER_CREATED'; subOrders: SubOrderRef[] }
  | { kind: 'STOCK_RESERVED' }
  | { kind: 'COUPONS_REDEEMED'; discounts: Discounts }
  | { kind: 'PAYMENT_AUTHORIZED'; providerReference: string }
  | { kind: 'ORDER_CONFIRMED' }
  | { kind: 'CART_CHECKED_OUT' }
  | { kind: 'REJECTED'; step: CheckoutStep; code: string; message: string }
  /** The order was cancelled under the running saga (by its buyer, or orders refusing it). */
  | { kind: 'ORDER_CANCELLED'; code: string; message: string };

/** Which step each successful reply answers. */
const REPLY_STEP: Record<Exclude<SagaReply['kind'], 'REJECTED' | 'ORDER_CANCELLED'>, CheckoutStep> = {
  CART_SNAPSHOTTED: 'SNAPSHOT_CART',
  SHIPPING_QUOTED: 'QUOTE_SHIPPING',
  ORDER_CREATED: 'CREATE_ORDER',
  STOCK_RESERVED: 'RESERVE_STOCK',
  COUPONS_REDEEMED: 'REDEEM_COUPONS',
  PAYMENT_AUTHORIZED: 'AUTHORIZE_PAYMENT',
  ORDER_CONFIRMED: 'CONFIRM_ORDER',
  CART_CHECKED_OUT: 'CLEAR_CART',
};

export const CheckoutErrorCode = {
  IdempotencyKeyReused: 'CHECKOUT.IDEMPOTENCY_KEY_REUSED',
  CartInCheckout: 'CHECKOUT.CART_IN_CHECKOUT',
  StepTimedOut: 'CHECKOUT.STEP_TIMED_OUT',
  InvalidTotals: 'CHECKOUT.INVALID_TOTALS',
  NotFound: 'CHECKOUT.NOT_FOUND',
} as const;

export const checkoutStatus = new StateMachine<CheckoutStatus>('CHECKOUT', {
  RUNNING: ['COMPLETED', 'COMPENSATING'],
  COMPENSATING: ['FAILED'],
  COMPLETED: [],
  FAILED: [],
});

/**
 * Which steps each step waits for: a step starts as soon as all of them completed, so steps that
 * do not need each other's answers run at the same time. RESERVE_STOCK needs only the snapshot
 * (its reference `order:<orderId>` is known from the start); CREATE_ORDER and REDEEM_COUPONS need
 * the quotes (shipping per seller); AUTHORIZE_PAYMENT needs the sub-orders (splits), the discounts
 * and the reservation. REDEEM_COUPONS is skipped (satisfied without a command) when the cart has
 * no codes. From the pivot (CONFIRM_ORDER) on the steps run one after the other.
 */
export const STEP_PREREQUISITES: Readonly<Record<CheckoutStep, readonly CheckoutStep[]>> = {
  SNAPSHOT_CART: [],
  QUOTE_SHIPPING: ['SNAPSHOT_CART'],
  CREATE_ORDER: ['QUOTE_SHIPPING'],
  RESERVE_STOCK: ['SNAPSHOT_CART'],
  REDEEM_COUPONS: ['QUOTE_SHIPPING'],
  AUTHORIZE_PAYMENT: ['CREATE_ORDER', 'RESERVE_STOCK', 'REDEEM_COUPONS'],
  CONFIRM_ORDER: ['AUTHORIZE_PAYMENT'],
  CLEAR_CART: ['CONFIRM_ORDER'],
};

/** A step whose command was sent and whose reply the saga waits for. */
export interface InFlightStep {
  step: CheckoutStep;
  /** Sends of the step's command so far (1 = first send). */
  attempt: number;
  /** When the step times out (ISO 8601). */
  deadlineAt: string;
  /** Re-sent verbatim (same ids, new message id) after a timeout. */
  command: SagaCommand;
}

export const STEPS: readonly CheckoutStep[] = CHECKOUT_STEP.values;

export interface FailureReason {
  code: string;
  message: string;
}

/**
 * Each step's action (the command it sends) beside its compensation (sent, in reverse order,
 * when a later step fails). Compensations are idempotent commands, so they are not awaited.
 * CONFIRM_ORDER is the pivot: cancelling the order (CREATE_ORDER's compensation) undoes it, and
 * CLEAR_CART only tidies the cart, so neither needs its own compensation.
 */
export interface StepDefinition {
  action(saga: CheckoutSaga): SagaCommand;
  compensation: ((saga: CheckoutSaga, reason: FailureReason) => SagaCommand) | null;
}

const reference = (saga: CheckoutSaga) => `order:${saga.orderId}`;
/** Contract fields cap free text at 1000 characters; a participant's long message must not break a command. */
const clip = (text: string, max = 1000) => (text.length > max ? `${text.slice(0, max - 1)}…` : text) || '-';
const reasonOf = (reason: FailureReason) => clip(`${reason.code}: ${reason.message}`);
const withCurrency = (amount: number, currency: string): MoneyData => ({ amount, currency });
/**
 * A list a command's contract requires to be non-empty. The saga's invariants guarantee it (a
 * snapshot has lines, coupons are redeemed only when there are codes), so an empty one is a bug.
 */
function nonEmpty<T>(items: readonly T[], what: string): NonEmpty<T> {
  const [first, ...rest] = items;
  if (first === undefined) throw new InvariantViolation('CHECKOUT.EMPTY_COMMAND', `${what} is empty`);
  return [first, ...rest];
}

export const SAGA_STEPS: Record<CheckoutStep, StepDefinition> = {
  SNAPSHOT_CART: {
    action: (s) => ({
      type: 'cart.snapshot-cart',
      aggregateType: 'Cart',
      aggregateId: s.cartId,
      payload: { checkoutId: s.id, cartId: s.cartId, buyerId: s.buyerId },
    }),
    compensation: null,
  },
  QUOTE_SHIPPING: {
    action: (s) => {
      const snapshot = s.requireSnapshot();
      const parcels = new Map<string, { sku: string; quantity: number }[]>();
      for (const l of snapshot.lines) {
        const items = parcels.get(l.sellerId) ?? [];
        items.push({ sku: l.sku, quantity: l.quantity });
        parcels.set(l.sellerId, items);
      }
      return {
        type: 'shipping.quote-shipping',
        aggregateType: 'Checkout',
        aggregateId: s.id,
        payload: {
          checkoutId: s.id,
          currency: snapshot.currency,
          destination: s.shippingAddress,
          parcels: nonEmpty(
            [...parcels].map(([sellerId, items]) => ({ sellerId, items: nonEmpty(items, 'a parcel') })),
            'the parcels',
          ),
        },
      };
    },
    compensation: null,
  },
  CREATE_ORDER: {
    action: (s) => {
      const snapshot = s.requireSnapshot();
      return {
        type: 'orders.create-order',
        aggregateType: 'Order',
        aggregateId: s.orderId,
        payload: {
          orderId: s.orderId,
          checkoutId: s.id,
          buyerId: s.buyerId,
          currency: snapshot.currency,
          shippingAddress: s.shippingAddress,
          lines: nonEmpty(snapshot.lines, 'the order lines'),
          shipping: s.shippingBySeller().map(([sellerId, amount]) => ({
            sellerId,
            amount: withCurrency(amount, snapshot.currency),
          })),
        },
      };
    },
    compensation: (s, reason) => ({
      type: 'orders.cancel-order',
      aggregateType: 'Order',
      aggregateId: s.orderId,
      payload: {
        orderId: s.orderId,
        checkoutId: s.id,
        code: clip(reason.code, 100),
        message: clip(reason.message),
      },
    }),
  },
  RESERVE_STOCK: {
    action: (s) => {
      const quantities = new Map<string, number>();
      for (const l of s.requireSnapshot().lines)
        quantities.set(l.sku, (quantities.get(l.sku) ?? 0) + l.quantity);
      return {
        type: 'inventory.reserve-stock',
        aggregateType: 'Reservation',
        aggregateId: reference(s),
        payload: {
          reference: reference(s),
          lines: nonEmpty(
            [...quantities].map(([sku, quantity]) => ({ sku, quantity })),
            'the reservation',
          ),
          ttlSeconds: s.reservationTtlSeconds,
          releaseCartHold: `cart:${s.cartId}`,
        },
      };
    },
    compensation: (s, reason) => ({
      type: 'inventory.release-reservation',
      aggregateType: 'Reservation',
      aggregateId: reference(s),
      payload: { reference: reference(s), reason: reasonOf(reason) },
    }),
  },
  REDEEM_COUPONS: {
    action: (s) => {
      const snapshot = s.requireSnapshot();
      return {
        type: 'coupons.redeem-coupons',
        aggregateType: 'Order',
        aggregateId: s.orderId,
        payload: {
          orderId: s.orderId,
          checkoutId: s.id,
          buyerId: s.buyerId,
          currency: snapshot.currency,
          codes: nonEmpty(snapshot.couponCodes, 'the coupon codes'),
          lines: snapshot.lines.map((l) => ({
            lineId: l.lineId,
            sellerId: l.sellerId,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
          })),
          shipping: s.shippingBySeller().map(([sellerId, amount]) => ({
            sellerId,
            amount: withCurrency(amount, snapshot.currency),
          })),
        },
      };
    },
    compensation: (s, reason) => ({
      type: 'coupons.release-redemptions',
      aggregateType: 'Order',
      aggregateId: s.orderId,
      payload: { orderId: s.orderId, checkoutId: s.id, reason: reasonOf(reason) },
    }),
  },
  AUTHORIZE_PAYMENT: {
    action: (s) => {
      const totals = s.totals();
      return {
        type: 'payments.authorize-payment',
        aggregateType: 'Payment',
        aggregateId: s.paymentId,
        payload: {
          paymentId: s.paymentId,
          orderId: s.orderId,
          checkoutId: s.id,
          buyerId: s.buyerId,
          amount: withCurrency(totals.total, totals.currency),
          method: s.paymentMethod,
          // Stable across re-sends, so the provider never authorizes twice.
          idempotencyKey: `checkout:${s.id}:authorize`,
          splits: nonEmpty(
            s.splits().map((p) => ({
              sellerId: p.sellerId,
              subOrderId: p.subOrderId,
              amount: withCurrency(p.amount, totals.currency),
            })),
            'the payment splits',
          ),
        },
      };
    },
    compensation: (s, reason) => ({
      type: 'payments.void-payment',
      aggregateType: 'Payment',
      aggregateId: s.paymentId,
      payload: { paymentId: s.paymentId, orderId: s.orderId, reason: reasonOf(reason) },
    }),
  },
  CONFIRM_ORDER: {
    action: (s) => {
      const d = s.discounts ?? { lineDiscounts: [], shippingDiscounts: [] };
      return {
        type: 'orders.confirm-order',
        aggregateType: 'Order',
        aggregateId: s.orderId,
        payload: {
          orderId: s.orderId,
          checkoutId: s.id,
          paymentId: s.paymentId,
          lineDiscounts: d.lineDiscounts,
          shippingDiscounts: d.shippingDiscounts,
        },
      };
    },
    compensation: null,
  },
  CLEAR_CART: {
    action: (s) => ({
      type: 'cart.clear-cart',
      aggregateType: 'Cart',
      aggregateId: s.cartId,
      payload: {
        checkoutId: s.id,
        cartId: s.cartId,
        orderId: s.orderId,
        lineIds: s.requireSnapshot().lines.map((l) => l.lineId),
      },
    }),
    compensation: null,
  },
};

export interface Totals {
  currency: string;
  subtotal: number;
  shipping: number;
  discount: number;
  total: number;
}

export interface Split {
  sellerId: string;
  subOrderId: string;
  amount: number;
}

export interface StartCheckout {
  id: string;
  orderId: string;
  paymentId: string;
  buyerId: string;
  cartId: string;
  idempotencyKey: string;
  inputHash: string;
  shippingAddress: Address;
  paymentMethod: { provider: PaymentProvider; token: string };
}

export interface SagaTiming {
  now: Date;
  stepTimeoutMs: number;
}

/**
 * The orchestrated checkout: one row holds everything the saga knows (snapshot, quotes,
 * order split, discounts), the steps in flight (each with its command, attempt and deadline) and
 * its timeline, so any instance can pick it up after a crash. Commands leave as recorded events
 * through the outbox.
 */
export class CheckoutSaga extends AggregateRoot<CheckoutEvents> {
  readonly id!: string;
  readonly orderId!: string;
  readonly paymentId!: string;
  readonly buyerId!: string;
  readonly cartId!: string;
  readonly idempotencyKey!: string;
  readonly inputHash!: string;
  readonly shippingAddress!: Address;
  readonly paymentMethod!: { provider: PaymentProvider; token: string };
  readonly reservationTtlSeconds!: number;
  readonly createdAt!: Date;
  // The state below changes only through the methods (the status only through `checkoutStatus`).
  private _status!: CheckoutStatus;
  private _currentStep!: CheckoutStep;
  private _inFlight!: readonly InFlightStep[];
  private _deadlineAt!: Date | null;
  private _completedSteps!: readonly CheckoutStep[];
  private _snapshot!: CartSnapshot | null;
  private _quotes!: readonly ShippingQuote[] | null;
  private _subOrders!: readonly SubOrderRef[] | null;
  private _discounts!: Discounts | null;
  private _providerReference!: string | null;
  private _failure!: Failure | null;
  private _timeline!: readonly TimelineEntry[];
  private _version!: number;
  private _updatedAt!: Date;

  get status(): CheckoutStatus {
    return this._status;
  }
  /** The earliest step in flight (in `STEPS` order); once finished, the step the saga ended at. */
  get currentStep(): CheckoutStep {
    return this._currentStep;
  }
  /** The steps whose reply the saga waits for, in `STEPS` order; empty once finished. */
  get inFlight(): readonly InFlightStep[] {
    return this._inFlight;
  }
  /** The earliest deadline of the steps in flight (what the timeout sweep looks for); null once finished. */
  get deadlineAt(): Date | null {
    return this._deadlineAt;
  }
  get completedSteps(): readonly CheckoutStep[] {
    return this._completedSteps;
  }
  get snapshot(): CartSnapshot | null {
    return this._snapshot;
  }
  get discounts(): Discounts | null {
    return this._discounts;
  }
  get failure(): Failure | null {
    return this._failure;
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

  static start(input: StartCheckout, timing: SagaTiming, reservationTtlSeconds = 900): CheckoutSaga {
    const saga = new CheckoutSaga();
    Object.assign(saga, input, { reservationTtlSeconds, createdAt: timing.now });
    saga._status = 'RUNNING';
    saga._currentStep = 'SNAPSHOT_CART';
    saga._inFlight = [];
    saga._deadlineAt = null;
    saga._completedSteps = [];
    saga._snapshot = null;
    saga._quotes = null;
    saga._subOrders = null;
    saga._discounts = null;
    saga._providerReference = null;
    saga._failure = null;
    saga._timeline = [];
    saga._version = 1;
    saga._updatedAt = timing.now;
    saga.log(timing.now, null, 'STARTED', null);
    saga.emit('checkout.checkout-started@1', {
      checkoutId: saga.id,
      buyerId: saga.buyerId,
      cartId: saga.cartId,
      orderId: saga.orderId,
    });
    saga.enter('SNAPSHOT_CART', timing);
    return saga;
  }

  /** The current step while it is in flight (`null` once finished). */
  get current(): InFlightStep | null {
    return this._inFlight.find((f) => f.step === this._currentStep) ?? null;
  }

  /** Sends of the current step's command so far (1 = first send; 0 once finished). */
  get attempt(): number {
    return this.current?.attempt ?? 0;
  }

  /**
   * Whether the order may exist: the saga asked for it. A checkout that failed before (the cart
   * could not be checked out, no shipping, no stock) never has one.
   */
  get orderRequested(): boolean {
    return this._timeline.some((t) => t.step === 'CREATE_ORDER' && t.event === 'COMMAND_SENT');
  }

  /** CONFIRM_ORDER is the point of no return: after it nothing is compensated. */
  get pastPivot(): boolean {
    return this._completedSteps.includes('CONFIRM_ORDER');
  }

  get finished(): boolean {
    return this._status === 'COMPLETED' || this._status === 'FAILED';
  }

  requireSnapshot(): CartSnapshot {
    if (!this._snapshot)
      throw new InvariantViolation('CHECKOUT.NO_SNAPSHOT', 'the cart was not snapshotted yet');
    return this._snapshot;
  }

  /** Shipping per seller in the snapshot's seller order; a seller without a quote ships for 0. */
  shippingBySeller(): [string, number][] {
    const sellers = [...new Set(this.requireSnapshot().lines.map((l) => l.sellerId))];
    return sellers.map((sellerId) => [
      sellerId,
      (this._quotes ?? []).filter((q) => q.sellerId === sellerId).reduce((a, q) => a + q.amount.amount, 0),
    ]);
  }

  totals(): Totals {
    const snapshot = this.requireSnapshot();
    const subtotal = snapshot.lines.reduce((a, l) => a + l.unitPrice.amount * l.quantity, 0);
    const shipping = (this._quotes ?? []).reduce((a, q) => a + q.amount.amount, 0);
    const d = this._discounts;
    const discount = d
      ? d.lineDiscounts.reduce((a, x) => a + x.amount.amount, 0) +
        d.shippingDiscounts.reduce((a, x) => a + x.amount.amount, 0)
      : 0;
    return {
      currency: snapshot.currency,
      subtotal,
      shipping,
      discount,
      total: subtotal + shipping - discount,
    };
  }

  /**
   * Each seller's share: its lines − their discounts + its shipping − its shipping discount.
   * Every term of the total belongs to exactly one seller, so the shares sum to the total exactly.
   * Needs no sub-orders: the discounts may arrive before the order is created.
   */
  shares(): { sellerId: string; amount: number }[] {
    const snapshot = this.requireSnapshot();
    const d = this._discounts ?? { lineDiscounts: [], shippingDiscounts: [] };
    const sellerOfLine = new Map(snapshot.lines.map((l) => [l.lineId, l.sellerId]));
    return this.shippingBySeller().map(([sellerId, shipping]) => {
      const lines = snapshot.lines
        .filter((l) => l.sellerId === sellerId)
        .reduce((a, l) => a + l.unitPrice.amount * l.quantity, 0);
      const lineDiscount = d.lineDiscounts
        .filter((x) => sellerOfLine.get(x.lineId) === sellerId)
        .reduce((a, x) => a + x.amount.amount, 0);
      const shippingDiscount = d.shippingDiscounts
        .filter((x) => x.sellerId === sellerId)
        .reduce((a, x) => a + x.amount.amount, 0);
      return { sellerId, amount: lines - lineDiscount + shipping - shippingDiscount };
    });
  }

  /** The shares with each seller's sub-order: what the payment is split into. */
  splits(): Split[] {
    return this.shares().map(({ sellerId, amount }) => {
      const subOrderId = this._subOrders?.find((s) => s.sellerId === sellerId)?.subOrderId;
      if (!subOrderId)
        throw new InvariantViolation('CHECKOUT.NO_SUB_ORDER', `no sub-order for seller ${sellerId}`);
      return { sellerId, subOrderId, amount };
    });
  }

  /**
   * Applies a participant's reply. A reply for a step not in flight, or for a finished saga, is
   * `ignored` (a late duplicate, or an answer to a command re-sent after a timeout). Replies of
   * steps running at the same time may arrive in any order.
   */
  handleReply(reply: SagaReply, timing: SagaTiming): 'applied' | 'ignored' {
    if (reply.kind === 'ORDER_CANCELLED') {
      // Only an order this saga created and still waits on can be cancelled under it; the
      // cancellation our own compensation asked for arrives after FAILED and is ignored.
      // Past the pivot the order is confirmed: cancelling it is the orders service's business (it
      // voids or refunds), so the saga only finishes clearing the cart.
      if (this._status !== 'RUNNING' || !this._completedSteps.includes('CREATE_ORDER') || this.pastPivot)
        return 'ignored';
      const step = this._currentStep;
      this.log(timing.now, step, 'REJECTED', `order cancelled: ${reply.code}: ${reply.message}`);
      this.fail({ code: reply.code, message: reply.message }, timing, step, null);
      return 'applied';
    }
    const step = reply.kind === 'REJECTED' ? reply.step : REPLY_STEP[reply.kind];
    if (this._status !== 'RUNNING' || !this._inFlight.some((f) => f.step === step)) return 'ignored';
    if (reply.kind === 'REJECTED') {
      // A rejection proves the step had no effect: only the others (done or in flight) are undone.
      this.log(timing.now, step, 'REJECTED', `${reply.code}: ${reply.message}`);
      this.fail({ code: reply.code, message: reply.message }, timing, step, step);
      return 'applied';
    }
    this.log(timing.now, step, 'REPLY_RECEIVED', reply.kind);
    switch (reply.kind) {
      case 'CART_SNAPSHOTTED':
        this._snapshot = reply.snapshot;
        break;
      case 'SHIPPING_QUOTED':
        this._quotes = reply.quotes;
        break;
      case 'ORDER_CREATED':
        this._subOrders = reply.subOrders;
        break;
      case 'COUPONS_REDEEMED':
        this._discounts = reply.discounts;
        break;
      case 'PAYMENT_AUTHORIZED':
        this._providerReference = reply.providerReference;
        break;
      default:
        break;
    }
    this._inFlight = this._inFlight.filter((f) => f.step !== step);
    this._completedSteps = [...this._completedSteps, step];
    this.syncProgress();
    const checked = this.checkInvariants(step);
    if (!checked.ok) {
      this.fail(checked.error, timing, step, null);
      return 'applied';
    }
    if (step === 'CONFIRM_ORDER') {
      // The order is the buyer's now: stock moves from reserved to sold, fire-and-forget.
      this.send(
        {
          type: 'inventory.commit-reservation',
          aggregateType: 'Reservation',
          aggregateId: reference(this),
          payload: { reference: reference(this), reason: `order ${this.orderId} confirmed` },
        },
        timing.now,
        step,
      );
    }
    this.startReady(timing);
    if (this._inFlight.length === 0) this.complete(timing);
    else this.touch(timing.now);
    return 'applied';
  }

  /**
   * Deadlines passed while this subgraph's outbox could not publish (the broker is unreachable):
   * the participants may not even have the commands, so the waits start again and no attempt is
   * counted. Consecutive postponements of one step are logged once.
   */
  postpone(timing: SagaTiming, reason: string): boolean {
    const due = this.due(timing.now);
    if (due.length === 0) return false;
    const deadlineAt = new Date(timing.now.getTime() + timing.stepTimeoutMs).toISOString();
    for (const { step } of due) {
      const last = this._timeline.findLast((t) => t.step === step);
      if (last?.event !== 'POSTPONED') this.log(timing.now, step, 'POSTPONED', reason);
    }
    this._inFlight = this._inFlight.map((f) => (due.includes(f) ? { ...f, deadlineAt } : f));
    this.syncProgress();
    this.touch(timing.now);
    return true;
  }

  /**
   * Deadlines passed: each due step's command is re-sent as it was, or, after `maxAttempts`
   * sends of one step, the saga gives up (the other steps in flight are compensated too).
   */
  timeOut(timing: SagaTiming, maxAttempts: number): 'retried' | 'failed' | 'completed' | 'ignored' {
    const due = this.due(timing.now);
    if (due.length === 0) return 'ignored';
    // A step that has used up its sends ends the saga before any other due step is sent again:
    // a re-send followed at once by its compensation would only make a participant do and undo it.
    const exhausted = due.find((flight) => flight.attempt >= maxAttempts);
    if (exhausted) {
      const { step } = exhausted;
      this.log(timing.now, step, 'TIMED_OUT', `attempt ${exhausted.attempt} of ${maxAttempts}`);
      // Unlike a rejection, silence does not prove the command had no effect (the reply may be
      // lost), so the silent step is compensated too; compensations of what never happened are no-ops.
      const outcome = this.pastPivot ? 'completed' : 'failed';
      this.fail(
        { code: CheckoutErrorCode.StepTimedOut, message: `Checkout step ${step} got no answer in time` },
        timing,
        step,
        null,
      );
      return outcome;
    }
    for (const flight of due) {
      const { step } = flight;
      this.log(timing.now, step, 'TIMED_OUT', `attempt ${flight.attempt} of ${maxAttempts}`);
      const retried: InFlightStep = {
        ...flight,
        attempt: flight.attempt + 1,
        deadlineAt: new Date(timing.now.getTime() + timing.stepTimeoutMs).toISOString(),
      };
      this._inFlight = this._inFlight.map((f) => (f === flight ? retried : f));
      this.log(timing.now, step, 'RETRIED', `attempt ${retried.attempt}`);
      this.resend(flight.command, timing.now);
    }
    this.syncProgress();
    this.touch(timing.now);
    return 'retried';
  }

  /**
   * What `fail` sends: the compensations of the steps in flight (latest in `STEPS` order first;
   * `except` the one whose rejection proves it had no effect), then of the completed steps, latest
   * first. A compensation leaves on the same topic with the same key as its step's command, so a
   * participant that has not handled the command yet handles it first and then undoes it.
   */
  compensations(reason: FailureReason, except: CheckoutStep | null = null): SagaCommand[] {
    const inFlight = this._inFlight.map((f) => f.step).filter((step) => step !== except);
    return [...inFlight.reverse(), ...[...this._completedSteps].reverse()].flatMap((step) => {
      const compensate = SAGA_STEPS[step].compensation;
      return compensate ? [compensate(this, reason)] : [];
    });
  }

  /** The steps in flight whose deadline passed (none once the saga is finished). */
  private due(now: Date): InFlightStep[] {
    if (this._status !== 'RUNNING') return [];
    return this._inFlight.filter((f) => new Date(f.deadlineAt) <= now);
  }

  /**
   * Ends the saga at `step`. Before the pivot: compensates everything done or in flight except
   * `rejected`, then FAILED with `checkout.checkout-failed` naming `step`.
   */
  private fail(
    given: FailureReason,
    timing: SagaTiming,
    step: CheckoutStep,
    rejected: CheckoutStep | null,
  ): void {
    const reason = { code: clip(given.code, 100), message: clip(given.message) };
    if (this.pastPivot) {
      // The order is confirmed (its payment usually captured already): a cart that was not
      // cleared is only a leftover the buyer can tidy, never a reason to undo the order.
      const event = reason.code === CheckoutErrorCode.StepTimedOut ? 'TIMED_OUT' : 'SKIPPED';
      this.log(timing.now, step, event, `cart not cleared: ${reason.code}: ${reason.message}`);
      this.complete(timing);
      return;
    }
    this.move('COMPENSATING', timing.now);
    for (const command of this.compensations(reason, rejected)) {
      this.resend(command, timing.now);
      this.log(timing.now, step, 'COMPENSATION_SENT', command.type);
    }
    this._failure = { step, code: reason.code, message: reason.message };
    this.finish(step);
    this.move('FAILED', timing.now);
    this.log(timing.now, step, 'FAILED', `${reason.code}: ${reason.message}`);
    this.emit('checkout.checkout-failed@1', {
      checkoutId: this.id,
      buyerId: this.buyerId,
      orderId: this.orderId,
      failedStep: step,
      code: reason.code,
      message: reason.message,
    });
  }

  private complete(timing: SagaTiming): void {
    this.move('COMPLETED', timing.now);
    this.finish(this._currentStep);
    this.log(timing.now, this._currentStep, 'COMPLETED', null);
    const totals = this.totals();
    this.emit('checkout.checkout-completed@1', {
      checkoutId: this.id,
      buyerId: this.buyerId,
      orderId: this.orderId,
      paymentId: this.paymentId,
      total: withCurrency(totals.total, totals.currency),
    });
  }

  /** Nothing in flight any more; `currentStep` keeps the step the saga ended at. */
  private finish(at: CheckoutStep): void {
    this._inFlight = [];
    this._currentStep = at;
    this._deadlineAt = null;
  }

  /** Done, or skipped (REDEEM_COUPONS without codes, once its own prerequisites are done). */
  private satisfied(step: CheckoutStep): boolean {
    if (this._completedSteps.includes(step)) return true;
    return this.skips(step) && STEP_PREREQUISITES[step].every((p) => this.satisfied(p));
  }

  /** No codes, nothing to redeem: the only step that may be skipped. */
  private skips(step: CheckoutStep): boolean {
    return step === 'REDEEM_COUPONS' && this._snapshot !== null && this._snapshot.couponCodes.length === 0;
  }

  /**
   * Starts every step not started yet whose prerequisites are all satisfied, and records the skip
   * of a step that needs no command (once). Looks at all steps, not only at those waiting for the
   * step just done, so a saga persisted by the one-step-at-a-time version also starts what it
   * has not started yet.
   */
  private startReady(timing: SagaTiming): void {
    for (const next of STEPS) {
      if (this._inFlight.some((f) => f.step === next)) continue;
      if (!STEP_PREREQUISITES[next].every((p) => this.satisfied(p))) continue;
      if (this.skips(next)) {
        if (!this._timeline.some((t) => t.step === next && t.event === 'SKIPPED'))
          this.log(timing.now, next, 'SKIPPED', 'no coupon codes');
      } else if (!this._completedSteps.includes(next)) this.enter(next, timing);
    }
  }

  private enter(step: CheckoutStep, timing: SagaTiming): void {
    const missing = STEP_PREREQUISITES[step].filter((p) => !this.satisfied(p));
    if (missing.length > 0)
      throw new InvariantViolation(
        'CHECKOUT_STEP.INVALID_TRANSITION',
        `${step} waits for ${missing.join(', ')}`,
      );
    const command = SAGA_STEPS[step].action(this);
    const deadlineAt = new Date(timing.now.getTime() + timing.stepTimeoutMs).toISOString();
    const inFlight = [...this._inFlight, { step, attempt: 1, deadlineAt, command }];
    this._inFlight = STEPS.flatMap((s) => inFlight.filter((f) => f.step === s));
    this.syncProgress();
    this.send(command, timing.now, step);
  }

  /** `currentStep` and `deadlineAt` follow the steps in flight (unchanged once none is). */
  private syncProgress(): void {
    const first = this._inFlight[0];
    if (!first) return;
    this._currentStep = first.step;
    const earliest = Math.min(...this._inFlight.map((f) => new Date(f.deadlineAt).getTime()));
    this._deadlineAt = new Date(earliest);
  }

  private send(command: SagaCommand, now: Date, step: CheckoutStep): void {
    this.resend(command, now);
    this.log(now, step, 'COMMAND_SENT', command.type);
    this.touch(now);
  }

  /** Guards the money before it is asked for: a bad split must never reach the provider. */
  private checkInvariants(step: CheckoutStep): Result<void> {
    const invalid = (message: string) => err(domainError(CheckoutErrorCode.InvalidTotals, message));
    const snapshot = this.requireSnapshot();
    const sellers = new Set(snapshot.lines.map((l) => l.sellerId));
    switch (step) {
      case 'SNAPSHOT_CART':
        if (snapshot.lines.length === 0) return invalid('The cart snapshot has no lines');
        if (snapshot.lines.some((l) => l.unitPrice.currency !== snapshot.currency))
          return invalid('A cart line is priced in another currency than the cart');
        return ok(undefined);
      case 'QUOTE_SHIPPING':
        // Every amount must belong to exactly one seller of the cart, or the splits would not sum.
        if ((this._quotes ?? []).some((q) => q.amount.currency !== snapshot.currency))
          return invalid('A shipping quote is in another currency than the cart');
        if ((this._quotes ?? []).some((q) => !sellers.has(q.sellerId)))
          return invalid('A shipping quote is for a seller without lines');
        return ok(undefined);
      case 'CREATE_ORDER': {
        const covered = new Set((this._subOrders ?? []).map((s) => s.sellerId));
        if ([...sellers].some((s) => !covered.has(s)))
          return invalid('The order has no sub-order for a seller');
        return ok(undefined);
      }
      case 'REDEEM_COUPONS': {
        const d = this._discounts ?? { lineDiscounts: [], shippingDiscounts: [] };
        const lineIds = new Set(snapshot.lines.map((l) => l.lineId));
        if ([...d.lineDiscounts, ...d.shippingDiscounts].some((x) => x.amount.currency !== snapshot.currency))
          return invalid('A discount is in another currency than the cart');
        if (d.lineDiscounts.some((x) => !lineIds.has(x.lineId)))
          return invalid('A discount is for a line outside the cart');
        if (d.shippingDiscounts.some((x) => !sellers.has(x.sellerId)))
          return invalid('A shipping discount is for a seller without lines');
        if (this.shares().some((x) => x.amount < 0)) return invalid('Discounts exceed what a seller is paid');
        return ok(undefined);
      }
      default:
        return ok(undefined);
    }
  }

  private move(to: CheckoutStatus, now: Date): void {
    const moved = checkoutStatus.transition(this._status, to);
    if (!moved.ok) throw new InvariantViolation(moved.error.code, moved.error.message);
    this._status = to;
    this.touch(now);
  }

  private touch(now: Date): void {
    this._updatedAt = now;
    this._version += 1;
  }

  private log(at: Date, step: CheckoutStep | null, event: TimelineEvent, detail: string | null): void {
    this._timeline = [...this._timeline, { at: at.toISOString(), step, event, detail }];
  }

  /** The saga's own events are about the checkout, at the time of its last change. */
  private emit<K extends `checkout.${string}` & keyof CheckoutEvents>(
    contract: K,
    payload: CheckoutEvents[K],
  ): void {
    this.raise(contract, payload, { aggregateType: 'Checkout', occurredAt: this._updatedAt });
  }

  /** Raises a command as it was built: the same ids and payload on every send. */
  private resend(command: SagaCommand, now: Date): void {
    this.raise(`${command.type}@1` as const, command.payload, {
      aggregateType: command.aggregateType,
      aggregateId: command.aggregateId,
      occurredAt: now,
    });
  }
}
