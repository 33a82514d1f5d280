import { afterAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { createOrm, loadConfig, migrate, type Orm } from '@marketplace/platform';
import { databasePlaces, type DatabasePlace } from '@marketplace/platform/testing';
import { orderMigrations } from '../src/adapters/persistence/order.schema.js';

const { places: profiles, cleanup } = databasePlaces('order_numbers', 'orders');

const open = (place: DatabasePlace, migrations = orderMigrations): Promise<Orm> =>
  createOrm({ postgresUrl: loadConfig().postgresUrl, ...place, entities: [], migrations });

/** An order row as the subgraph wrote it before numbers existed (with its sub-order lookup rows). */
async function insertLegacyOrder(orm: Orm, createdAt: Date, sellers: number) {
  const id = newId();
  const subOrders = Array.from({ length: sellers }, () => ({
    id: newId(),
    sellerId: newId(),
    status: 'PAID',
    lines: [],
    shipping: 0,
    shippingDiscount: 0,
  }));
  const conn = orm.em.getConnection();
  await conn.execute(
    `insert into orders (id, checkout_id, buyer_id, currency, shipping_address, sub_orders, refund_requests,
       timeline, created_at, updated_at, status, version)
     values (?, null, ?, 'EUR', '{}'::jsonb, ?::jsonb, '[]'::jsonb, '[]'::jsonb, ?, ?, 'PAID', 3)`,
    [id, newId(), JSON.stringify(subOrders), createdAt, createdAt],
  );
  for (const s of subOrders)
    await conn.execute(
      'insert into sub_order (id, order_id, seller_id, status, created_at) values (?, ?, ?, ?, ?)',
      [s.id, id, s.sellerId, s.status, createdAt],
    );
  return { id, subOrderIds: subOrders.map((s) => s.id) };
}

afterAll(cleanup);

describe.each(profiles)('order numbers migration, %s', (_profile, place) => {
  it('numbers the orders placed before it (same minute included), sub-orders by place, and keeps them unique', async () => {
    const where = await place();
    const numbering = orderMigrations.findIndex((m) => m.name === 'Migration20261231000100OrderNumbers');
    const before = await open(where, orderMigrations.slice(0, numbering));
    await migrate(before);
    const minute = new Date('2026-12-01T10:15:00Z');
    const legacy = [
      await insertLegacyOrder(before, minute, 2),
      await insertLegacyOrder(before, new Date(minute.getTime() + 20_000), 1),
    ];
    await before.close(true);

    const after = await open(where);
    try {
      await migrate(after);
      const conn = after.em.getConnection();
      const orders = await conn.execute<{ id: string; number: string; sub_orders: { number: string }[] }[]>(
        'select id, number, sub_orders from orders order by created_at',
      );
      expect(orders.map((o) => o.id)).toEqual(legacy.map((o) => o.id));
      const [first, second] = orders.map((o) => o.number);
      expect(first).toMatch(/^MP-[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(second).not.toBe(first);
      expect(orders[0]!.sub_orders.map((s) => s.number)).toEqual([`${first}-1`, `${first}-2`]);
      const lookup = await conn.execute<{ id: string; number: string }[]>(
        'select id, number from sub_order order by number',
      );
      expect(lookup).toEqual(
        [
          { id: legacy[0]!.subOrderIds[0], number: `${first}-1` },
          { id: legacy[0]!.subOrderIds[1], number: `${first}-2` },
          { id: legacy[1]!.subOrderIds[0], number: `${second}-1` },
        ].sort((a, b) => a.number.localeCompare(b.number)),
      );
      // New orders continue the sequence after the backfilled ones.
      const [next] = await conn.execute<{ value: string }[]>(`select nextval('order_number_seq') as value`);
      expect(Number(next!.value)).toBe(3);
      await expect(
        conn.execute('update orders set number = ? where id = ?', [first, legacy[1]!.id]),
      ).rejects.toThrow(/orders_number_key|duplicate/);
    } finally {
      await after.close(true);
    }
  });
});
