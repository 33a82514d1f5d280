import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { FixedClock, err, newId, ok, type DomainEvent, type EventSource } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { CheckoutSaga, STEPS, type CheckoutStep } from '../domain/checkout-saga.js';
import { address, BUYER, CART, defaultLines, successFor } from '../domain/saga.fixtures.js';
import type { PlaceOrderInput } from '../domain/checkout-input.js';
import { cartInCheckout, handleReply, placeOrder, sweepTimedOutSteps } from './checkout.js';
import type { CheckoutContext, CheckoutRepository } from './ports.js';

/** In-memory store + outbox: what commits is kept, a rejected transaction leaves no trace. */
class World {
  readonly sagas = new Map<string, CheckoutSaga>();
  readonly outbox: DomainEvent[] = [];
  readonly clock = new FixedClock(new Date('2026-11-21T12:00:00Z'));
  /** When the oldest message the relay has not published yet was written (null: the broker takes them). */
  unsentSince: Date | null = null;
  /** Sagas inserted by transactions still running. */
  private readonly uncommitted = new Set<CheckoutSaga>();

  context(actor: Actor | null = { userId: BUYER, role: 'buyer', sellerId: null }): CheckoutContext {
    return {
      actor,
      correlationId: newId(),
      causationId: null,
      clock: this.clock,
      settings: {
        stepTimeoutMs: 30_000,
        stepAttempts: 3,
        reservationTtlSeconds: 900,
        busStallMs: 10_000,
        busStallMaxAgeMs: 300_000,
      },
      newId,
      hash: (t) => createHash('sha256').update(t).digest('hex'),
      transaction: async (work) => {
        const added: CheckoutSaga[] = [];
        const tracked = new Set<EventSource>();
        const repo: CheckoutRepository = {
          byIdForUpdate: async (id) => this.sagas.get(id) ?? null,
          byOrderIdForUpdate: async (orderId) =>
            [...this.sagas.values()].find((s) => s.orderId === orderId) ?? null,
          byIdempotencyKey: async (buyerId, key) =>
            [...this.sagas.values()].find((s) => s.buyerId === buyerId && s.idempotencyKey === key) ?? null,
          claimTimedOut: async (now) =>
            [...this.sagas.values()].filter(
              (s) => s.status === 'RUNNING' && s.deadlineAt && s.deadlineAt <= now,
            ),
          // Like the partial unique index: one RUNNING checkout per cart, counting the ones
          // other transactions inserted and have not committed yet (as the index does).
          add: async (saga) => {
            const clash = [...this.sagas.values(), ...this.uncommitted].some(
              (o) => o.status === 'RUNNING' && o.cartId === saga.cartId,
            );
            if (clash) return err(cartInCheckout());
            this.uncommitted.add(saga);
            added.push(saga);
            return ok(undefined);
          },
          oldestUnsentAt: async () => this.unsentSince,
        };
        const hooks: (() => unknown)[] = [];
        const result = await work({
          checkouts: repo,
          track: (s) => void tracked.add(s),
          afterCommit: (hook) => void hooks.push(hook),
        });
        for (const s of added) this.uncommitted.delete(s);
        if (result.ok) {
          for (const s of added) this.sagas.set(s.id, s);
          for (const s of tracked) this.outbox.push(...s.pullEvents());
          for (const hook of hooks) await hook();
        }
        return result;
      },
    };
  }

  drain(): string[] {
    return this.outbox.splice(0).map((e) => e.type);
  }
}

const input = (overrides: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  cartId: CART,
  shippingAddress: address,
  paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
  idempotencyKey: 'checkout-key-1',
  ...overrides,
});

async function started(world: World, codes: string[] = ['SAVE10']) {
  const placed = await placeOrder(input(), world.context());
  if (!placed.ok) throw new Error(placed.error.message);
  return { saga: placed.value, lines: defaultLines(), codes };
}

/** Answers steps until the saga waits on `until`. */
async function advanceTo(
  world: World,
  saga: CheckoutSaga,
  until: CheckoutStep | null,
  lines = defaultLines(),
  codes = ['SAVE10'],
) {
  while (saga.status === 'RUNNING' && saga.currentStep !== until) {
    const r = await handleReply({ checkoutId: saga.id }, successFor(saga, lines, codes), world.context(null));
    expect(r).toEqual({ ok: true, value: 'applied' });
  }
}

describe('placeOrder', () => {
  it('persists the saga with the first command and returns it RUNNING', async () => {
    const world = new World();
    const { saga } = await started(world);
    expect(saga.status).toBe('RUNNING');
    expect(world.sagas.get(saga.id)).toBe(saga);
    expect(world.drain()).toEqual(['checkout.checkout-started', 'cart.snapshot-cart']);
  });

  it('only buyers place orders', async () => {
    const world = new World();
    const anon = await placeOrder(input(), world.context(null));
    const seller = await placeOrder(
      input(),
      world.context({ userId: newId(), role: 'seller', sellerId: newId() }),
    );
    const admin = await placeOrder(
      input(),
      world.context({ userId: newId(), role: 'admin', sellerId: null }),
    );
    expect([anon, seller, admin].map((r) => !r.ok && r.error.code)).toEqual([
      'AUTH.UNAUTHENTICATED',
      'AUTH.FORBIDDEN',
      'AUTH.FORBIDDEN',
    ]);
    expect(world.sagas.size).toBe(0);
    expect(world.outbox).toHaveLength(0);
  });

  it('refuses invalid input and persists nothing', async () => {
    const world = new World();
    const r = await placeOrder(
      input({ shippingAddress: { ...address, country: 'Germany' } }),
      world.context(),
    );
    expect(!r.ok && r.error.field).toBe('shippingAddress.country');
    expect(world.sagas.size).toBe(0);
  });

  it('answers the first checkout for the same key and input, and refuses the key with other input', async () => {
    const world = new World();
    const { saga } = await started(world);
    world.drain();
    const again = await placeOrder(
      input({ shippingAddress: { ...address, country: 'de' } }),
      world.context(),
    );
    expect(again.ok && again.value.id).toBe(saga.id);
    const reused = await placeOrder(
      input({ paymentMethod: { provider: 'STRIPE', token: 'pm_card_visa' } }),
      world.context(),
    );
    expect(!reused.ok && reused.error.code).toBe('CHECKOUT.IDEMPOTENCY_KEY_REUSED');
    expect(world.sagas.size).toBe(1);
    expect(world.outbox).toHaveLength(0);
    // Another buyer may use the same key.
    const other = await placeOrder(
      input(),
      world.context({ userId: newId(), role: 'buyer', sellerId: null }),
    );
    expect(other.ok && other.value.id).not.toBe(saga.id);
  });
});

describe('one running checkout per cart', () => {
  it('refuses a second checkout of the cart (another key) and persists nothing; the first key still replays', async () => {
    const world = new World();
    const { saga } = await started(world);
    world.drain();
    const second = await placeOrder(input({ idempotencyKey: 'checkout-key-2' }), world.context());
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.CART_IN_CHECKOUT', message: 'A checkout of this cart is already in progress' },
    });
    expect(world.sagas.size).toBe(1);
    expect(world.outbox).toHaveLength(0);
    const replay = await placeOrder(input(), world.context());
    expect(replay.ok && replay.value.id).toBe(saga.id);
  });

  it('a same-key race that trips the cart constraint answers the winner’s checkout', async () => {
    const world = new World();
    const [a, b] = await Promise.all([
      placeOrder(input(), world.context()),
      placeOrder(input(), world.context()),
    ]);
    expect(world.sagas.size).toBe(1);
    expect(a.ok && b.ok && a.value.id === b.value.id).toBe(true);
  });

  it('allows a new checkout of the cart once the first one finished', async () => {
    const world = new World();
    const { saga } = await started(world);
    await handleReply(
      { checkoutId: saga.id },
      { kind: 'REJECTED', step: 'SNAPSHOT_CART', code: 'CART.PRICES_CHANGED', message: 'prices changed' },
      world.context(null),
    );
    expect(saga.status).toBe('FAILED');
    const again = await placeOrder(input({ idempotencyKey: 'checkout-key-2' }), world.context());
    expect(again.ok && again.value.id).not.toBe(saga.id);
    expect(world.sagas.size).toBe(2);
  });
});

describe('handleReply', () => {
  it('drives the happy path through every step to COMPLETED', async () => {
    const world = new World();
    const { saga } = await started(world);
    await advanceTo(world, saga, null);
    expect(saga.status).toBe('COMPLETED');
    expect(world.drain()).toEqual([
      'checkout.checkout-started',
      'cart.snapshot-cart',
      'shipping.quote-shipping',
      'inventory.reserve-stock',
      'orders.create-order',
      'coupons.redeem-coupons',
      'payments.authorize-payment',
      'orders.confirm-order',
      'inventory.commit-reservation',
      'cart.clear-cart',
      'checkout.checkout-completed',
    ]);
  });

  it('finds the saga by order id (inventory replies carry only the reference)', async () => {
    const world = new World();
    const { saga } = await started(world);
    await advanceTo(world, saga, 'RESERVE_STOCK');
    const r = await handleReply({ orderId: saga.orderId }, { kind: 'STOCK_RESERVED' }, world.context(null));
    expect(r).toEqual({ ok: true, value: 'applied' });
    expect(saga.currentStep).toBe('REDEEM_COUPONS');
  });

  // The steps started together with the failing one are compensated too (they are in flight).
  const compensations: Record<string, string[]> = {
    SNAPSHOT_CART: [],
    QUOTE_SHIPPING: ['inventory.release-reservation'],
    CREATE_ORDER: ['coupons.release-redemptions', 'inventory.release-reservation'],
    RESERVE_STOCK: ['coupons.release-redemptions', 'orders.cancel-order'],
    REDEEM_COUPONS: ['inventory.release-reservation', 'orders.cancel-order'],
    AUTHORIZE_PAYMENT: [
      'coupons.release-redemptions',
      'inventory.release-reservation',
      'orders.cancel-order',
    ],
    CONFIRM_ORDER: [
      'payments.void-payment',
      'coupons.release-redemptions',
      'inventory.release-reservation',
      'orders.cancel-order',
    ],
  };

  it.each(Object.entries(compensations))(
    'a failure at %s sends the compensations of the completed and in-flight steps, latest first, then checkout-failed',
    async (step, expected) => {
      const world = new World();
      const { saga } = await started(world);
      await advanceTo(world, saga, step as CheckoutStep);
      world.drain();
      await handleReply(
        { checkoutId: saga.id },
        { kind: 'REJECTED', step: step as CheckoutStep, code: 'SOME.FAILURE', message: 'failed' },
        world.context(null),
      );
      expect(world.drain()).toEqual([...expected, 'checkout.checkout-failed']);
      expect(saga.status).toBe('FAILED');
    },
  );

  it('ignores stale, duplicate and unknown replies without sending anything', async () => {
    const world = new World();
    const { saga, lines, codes } = await started(world);
    const snapshot = successFor(saga, lines, codes);
    await handleReply({ checkoutId: saga.id }, snapshot, world.context(null));
    world.drain();
    const dup = await handleReply({ checkoutId: saga.id }, snapshot, world.context(null));
    const stale = await handleReply(
      { checkoutId: saga.id },
      { kind: 'ORDER_CONFIRMED' },
      world.context(null),
    );
    const unknown = await handleReply(
      { checkoutId: newId() },
      { kind: 'ORDER_CONFIRMED' },
      world.context(null),
    );
    expect([dup, stale, unknown]).toEqual([
      { ok: true, value: 'ignored' },
      { ok: true, value: 'ignored' },
      { ok: true, value: 'ignored' },
    ]);
    expect(world.drain()).toEqual([]);
    expect(saga.currentStep).toBe('QUOTE_SHIPPING');
  });
});

describe('sweepTimedOutSteps', () => {
  it('re-sends the step command (same ids) up to the attempts, then compensates with STEP_TIMED_OUT', async () => {
    const world = new World();
    const { saga } = await started(world);
    await advanceTo(world, saga, 'AUTHORIZE_PAYMENT');
    const first = world.outbox.find((e) => e.type === 'payments.authorize-payment');
    world.drain();
    await sweepTimedOutSteps(world.context(null));
    expect(world.drain()).toEqual([]);
    for (const attempt of [2, 3]) {
      world.clock.advance(30_000);
      await sweepTimedOutSteps(world.context(null));
      const resent = world.outbox.splice(0);
      expect(resent.map((e) => e.type)).toEqual(['payments.authorize-payment']);
      expect(resent[0]?.payload).toEqual(first?.payload);
      expect(saga.attempt).toBe(attempt);
    }
    world.clock.advance(30_000);
    await sweepTimedOutSteps(world.context(null));
    expect(world.drain()).toEqual([
      'payments.void-payment',
      'coupons.release-redemptions',
      'inventory.release-reservation',
      'orders.cancel-order',
      'checkout.checkout-failed',
    ]);
    expect(saga.failure?.code).toBe('CHECKOUT.STEP_TIMED_OUT');
    // A reply that finally arrives is ignored.
    const late = await handleReply(
      { checkoutId: saga.id },
      { kind: 'PAYMENT_AUTHORIZED', providerReference: 'pi' },
      world.context(null),
    );
    expect(late).toEqual({ ok: true, value: 'ignored' });
  });

  it('past CONFIRM_ORDER, a silent cart completes the checkout and compensates nothing', async () => {
    const world = new World();
    const { saga } = await started(world);
    await advanceTo(world, saga, 'CLEAR_CART');
    world.drain();
    for (let sweep = 0; sweep < 3; sweep++) {
      world.clock.advance(30_000);
      await sweepTimedOutSteps(world.context(null));
    }
    expect(world.drain()).toEqual(['cart.clear-cart', 'cart.clear-cart', 'checkout.checkout-completed']);
    expect(world.sagas.get(saga.id)?.status).toBe('COMPLETED');
    expect(saga.failure).toBeNull();
    expect(saga.timeline.some((t) => t.event === 'TIMED_OUT' && t.detail?.includes('cart not cleared'))).toBe(
      true,
    );
  });

  it('while the broker takes no message, deadlines start again without using an attempt', async () => {
    const world = new World();
    const { saga, lines, codes } = await started(world);
    world.drain();
    // The broker went away just after the saga's first command was written.
    world.unsentSince = world.clock.now();
    for (let sweep = 0; sweep < 8; sweep++) {
      world.clock.advance(30_000);
      await sweepTimedOutSteps(world.context(null));
    }
    expect(world.drain()).toEqual([]);
    expect(saga.status).toBe('RUNNING');
    expect(saga.attempt).toBe(1);
    expect(saga.deadlineAt).toEqual(new Date(world.clock.now().getTime() + 30_000));
    // Logged once for the whole outage, not once per sweep.
    expect(saga.timeline.filter((t) => t.event === 'POSTPONED')).toHaveLength(1);
    expect(saga.timeline.at(-1)?.detail).toContain('the broker has taken no message since');

    // A backlog younger than busStallMs is the relay's ordinary pace: the deadline counts.
    world.unsentSince = new Date(world.clock.now().getTime() + 25_000);
    world.clock.advance(30_000);
    await sweepTimedOutSteps(world.context(null));
    expect(world.drain()).toEqual(['cart.snapshot-cart']);
    expect(saga.attempt).toBe(2);

    // The broker is back: the saga goes on where it was.
    world.unsentSince = null;
    await handleReply({ checkoutId: saga.id }, successFor(saga, lines, codes), world.context(null));
    expect(saga.currentStep).toBe('QUOTE_SHIPPING');
  });

  it('a saga older than busStallMaxAgeMs times out as usual, stalled broker or not', async () => {
    const world = new World();
    const { saga } = await started(world);
    world.drain();
    world.unsentSince = world.clock.now();
    world.clock.advance(300_000);
    await sweepTimedOutSteps(world.context(null));
    expect(world.drain()).toEqual(['cart.snapshot-cart']);
    expect(saga.attempt).toBe(2);
    expect(saga.timeline.some((t) => t.event === 'POSTPONED')).toBe(false);
  });

  it('a reply after a re-send still advances the saga', async () => {
    const world = new World();
    const { saga, lines, codes } = await started(world);
    world.clock.advance(30_000);
    await sweepTimedOutSteps(world.context(null));
    expect(saga.attempt).toBe(2);
    await handleReply({ checkoutId: saga.id }, successFor(saga, lines, codes), world.context(null));
    expect(saga.currentStep).toBe('QUOTE_SHIPPING');
    expect(saga.attempt).toBe(1);
    expect(STEPS).toContain(saga.currentStep);
  });
});
