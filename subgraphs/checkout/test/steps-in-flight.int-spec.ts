import { afterAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import { createOrm, loadConfig, migrate, type Orm } from '@marketplace/platform';
import { databasePlaces, type DatabasePlace } from '@marketplace/platform/testing';
import { checkoutEntities, checkoutMigrations } from '../src/adapters/persistence/checkout.schema.js';
import { CheckoutSaga, type SagaCommand } from '../src/domain/checkout-saga.js';

const { places: profiles, cleanup } = databasePlaces('checkout_in_flight', 'checkout');

const open = (place: DatabasePlace, migrations = checkoutMigrations): Promise<Orm> =>
  createOrm({
    postgresUrl: loadConfig().postgresUrl,
    ...place,
    entities: migrations === checkoutMigrations ? checkoutEntities : [],
    migrations,
  });

const SELLER = newId();

/**
 * A saga row as the one-step-at-a-time version wrote it: waiting on `step` (its `attempt`-th
 * send of `pending`, due at `deadline`), the steps before it done.
 */
async function insertLegacySaga(
  orm: Orm,
  row: { status: string; step: string; attempt: number; deadline: Date | null; pending: SagaCommand | null },
) {
  const id = newId();
  const orderId = newId();
  const lineId = newId();
  const snapshot = {
    currency: 'EUR',
    couponCodes: ['SAVE10'],
    lines: [
      {
        lineId,
        sku: 'SKU-A',
        variantId: newId(),
        productId: newId(),
        sellerId: SELLER,
        productName: 'Lamp',
        variantName: null,
        quantity: 1,
        unitPrice: { amount: 1000, currency: 'EUR' },
      },
    ],
  };
  const quotes = [
    { sellerId: SELLER, service: 'STANDARD', amount: { amount: 499, currency: 'EUR' }, weightGrams: 1 },
  ];
  const at = new Date('2026-12-01T10:00:00Z');
  await orm.em.getConnection().execute(
    `insert into checkout_saga (id, order_id, payment_id, buyer_id, cart_id, idempotency_key, input_hash,
       shipping_address, payment_method, reservation_ttl_seconds, status, current_step, attempt, deadline_at,
       pending_command, completed_steps, snapshot, quotes, sub_orders, discounts, provider_reference, failure,
       timeline, version, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'legacy-key-1', 'hash', '{}'::jsonb, '{"provider":"SANDBOX","token":"tok"}'::jsonb,
       900, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, null, null, null, '[]'::jsonb, 5, ?, ?)`,
    [
      id,
      orderId,
      newId(),
      newId(),
      newId(),
      row.status,
      row.step,
      row.attempt,
      row.deadline,
      row.pending ? JSON.stringify(row.pending) : null,
      JSON.stringify(['SNAPSHOT_CART', 'QUOTE_SHIPPING', 'CREATE_ORDER']),
      JSON.stringify(snapshot),
      JSON.stringify(quotes),
      JSON.stringify([{ subOrderId: newId(), sellerId: SELLER }]),
      at,
      at,
    ],
  );
  return { id, orderId };
}

afterAll(cleanup);

describe.each(profiles)('steps in flight migration, %s', (_profile, place) => {
  it('carries a running saga’s pending step over, and the saga goes on from it', async () => {
    const where = await place();
    const index = checkoutMigrations.findIndex((m) => m.name === 'Migration20261231000400StepsInFlight');
    const before = await open(where, checkoutMigrations.slice(0, index));
    await migrate(before);
    const deadline = new Date('2026-12-01T10:00:30.123Z');
    const reserve: SagaCommand = {
      type: 'inventory.reserve-stock',
      aggregateType: 'Reservation',
      aggregateId: 'order:x',
      payload: {
        reference: 'order:x',
        lines: [{ sku: 'SKU-A', quantity: 1 }],
        ttlSeconds: 900,
        releaseCartHold: 'cart:x',
      },
    };
    const running = await insertLegacySaga(before, {
      status: 'RUNNING',
      step: 'RESERVE_STOCK',
      attempt: 2,
      deadline,
      pending: reserve,
    });
    const done = await insertLegacySaga(before, {
      status: 'FAILED',
      step: 'RESERVE_STOCK',
      attempt: 1,
      deadline: null,
      pending: null,
    });
    await before.close(true);

    const after = await open(where);
    try {
      await migrate(after);
      const em = after.em.fork() as EntityManager;
      const saga = await em.findOneOrFail(CheckoutSaga, { id: running.id });
      expect(saga.inFlight).toEqual([
        { step: 'RESERVE_STOCK', attempt: 2, deadlineAt: deadline.toISOString(), command: reserve },
      ]);
      expect(saga.currentStep).toBe('RESERVE_STOCK');
      expect(saga.attempt).toBe(2);
      expect(saga.deadlineAt).toEqual(deadline);
      expect((await em.findOneOrFail(CheckoutSaga, { id: done.id })).inFlight).toEqual([]);

      // Its deadline passed: the third send, then the reply starts the coupons it never started.
      const timing = { now: new Date(deadline.getTime() + 1), stepTimeoutMs: 30_000 };
      expect(saga.timeOut(timing, 3)).toBe('retried');
      expect(saga.pullEvents().map((e) => e.payload)).toEqual([reserve.payload]);
      expect(saga.handleReply({ kind: 'STOCK_RESERVED' }, timing)).toBe('applied');
      expect(saga.pullEvents().map((e) => e.type)).toEqual(['coupons.redeem-coupons']);
      await em.flush();
      const stored = await after.em
        .fork()
        .getConnection()
        .execute<{ current_step: string; in_flight: { step: string }[] }[]>(
          'select current_step, in_flight from checkout_saga where id = ?',
          [running.id],
        );
      expect(stored[0]?.current_step).toBe('REDEEM_COUPONS');
      expect(stored[0]?.in_flight.map((f) => f.step)).toEqual(['REDEEM_COUPONS']);
    } finally {
      await after.close(true);
    }
  });
});
