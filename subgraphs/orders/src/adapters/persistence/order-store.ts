import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, storedOrder, storedWhere } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import { Order, type Cancellation } from '../../domain/order.js';
import type { OrderPolicy, OrderRepository, OrdersRepositories } from '../../application/ports.js';
import { ORDER_NUMBER_SEQUENCE, OrderSchema } from './order.schema.js';

export class MikroOrderRepository implements OrderRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<Order | null> {
    return this.em.findOne(Order, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  async byRefundRequestForUpdate(refundRequestId: string): Promise<Order | null> {
    const rows = await this.em.execute<{ id: string }[]>(
      `select id from orders where refund_requests @> ?::jsonb`,
      [JSON.stringify([{ id: refundRequestId }])],
    );
    return rows[0] ? this.byIdForUpdate(rows[0].id) : null;
  }

  async lockId(id: string): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`order:${id}`]);
  }

  async recordEarlyCancellation(id: string, cancellation: Cancellation, at: Date): Promise<void> {
    await this.em.execute(
      `insert into order_tombstone (order_id, code, message, cancelled_at) values (?, ?, ?, ?)
       on conflict do nothing`,
      [id, cancellation.code, cancellation.message, at],
    );
  }

  async earlyCancellation(id: string): Promise<Cancellation | null> {
    const rows = await this.em.execute<{ code: string; message: string }[]>(
      'select code, message from order_tombstone where order_id = ?',
      [id],
    );
    return rows[0] ? { code: rows[0].code, message: rows[0].message } : null;
  }

  async nextNumberSequence(): Promise<number> {
    const [row] = await this.em.execute<{ value: string | number }[]>(
      `select nextval('${ORDER_NUMBER_SEQUENCE}') as value`,
    );
    return Number(row!.value);
  }

  async save(order: Order): Promise<void> {
    this.em.persist(order);
    for (const sub of order.subOrders) {
      await this.em.execute(
        `insert into sub_order (id, order_id, seller_id, status, created_at, number) values (?, ?, ?, ?, ?, ?)
         on conflict (id) do update set status = excluded.status`,
        [sub.id, order.id, sub.sellerId, sub.status, order.createdAt, sub.number],
      );
    }
  }
}

/**
 * How orders' use cases get their context, once: the platform builds it for a request, a consumed
 * message and a job, commits once per use case and wakes the relay after the commit.
 */
export function ordersUseCases(settings: { policy: OrderPolicy; clock?: Clock }) {
  return defineUseCases({
    producer: 'orders',
    repositories: (em): OrdersRepositories => ({ orders: new MikroOrderRepository(em) }),
    extras: () => ({ clock: settings.clock ?? systemClock, policy: settings.policy }),
  });
}

/** One query for any number of ids: the batch behind `Order` references. */
export function ordersByIds(em: EntityManager, ids: readonly string[]): Promise<Order[]> {
  return em.find(Order, { id: { $in: [...ids] } });
}

/** One query: sub-order id → order id and seller, for `SubOrder` references. */
export async function subOrderIndex(
  em: EntityManager,
  ids: readonly string[],
): Promise<{ id: string; order_id: string; seller_id: string }[]> {
  if (ids.length === 0) return [];
  return em.execute(
    `select id, order_id, seller_id from sub_order where id in (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
}

/** The id of the order with this number (as stored), or of the sub-order with this number. */
export async function idByNumber(
  em: EntityManager,
  table: 'orders' | 'sub_order',
  number: string,
): Promise<string | null> {
  const [row] = await em.execute<{ id: string }[]>(`select id from ${table} where number = ?`, [number]);
  return row?.id ?? null;
}

export interface Cursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(value: string | null | undefined): Cursor | null {
  if (!value) return null;
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
    return typeof c.createdAt === 'string' && typeof c.id === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** A buyer's orders, newest first, keyset-paginated on (created_at, id). */
export function ordersOfBuyer(
  em: EntityManager,
  buyerId: string,
  first: number,
  after: Cursor | null,
): Promise<Order[]> {
  return em.find(
    Order,
    storedWhere(Order, OrderSchema, {
      buyerId,
      ...(after
        ? {
            $or: [
              { createdAt: { $lt: new Date(after.createdAt) } },
              { createdAt: new Date(after.createdAt), id: { $lt: after.id } },
            ],
          }
        : {}),
    }),
    { orderBy: storedOrder(Order, OrderSchema, { createdAt: 'desc', id: 'desc' }), limit: first + 1 },
  );
}

/** A seller's sub-orders, newest first: one lookup query plus one load of their orders. */
export async function subOrdersOfSeller(
  em: EntityManager,
  sellerId: string,
  status: string | null,
  first: number,
  after: Cursor | null,
): Promise<{ rows: { id: string; order_id: string; created_at: Date }[]; orders: Order[] }> {
  const params: unknown[] = [sellerId];
  let where = 'seller_id = ?';
  if (status) {
    where += ' and status = ?';
    params.push(status);
  }
  if (after) {
    where += ' and (created_at, id) < (?, ?)';
    params.push(new Date(after.createdAt), after.id);
  }
  params.push(first + 1);
  const rows = await em.execute<{ id: string; order_id: string; created_at: Date }[]>(
    `select id, order_id, created_at from sub_order where ${where} order by created_at desc, id desc limit ?`,
    params,
  );
  const orders = rows.length ? await ordersByIds(em, [...new Set(rows.map((r) => r.order_id))]) : [];
  return { rows, orders };
}
