import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Order, type SubOrder } from '../../domain/order.js';
import { orderNumberOf, subOrderNumberOf } from '../../domain/order-number.js';

/** An order as stored: its fields by name, private ones included (checked by the compiler). */
export type OrderRow = Pick<
  Order,
  | 'id'
  | 'number'
  | 'checkoutId'
  | 'buyerId'
  | 'currency'
  | 'shippingAddress'
  | 'subOrders'
  | 'refundRequests'
  | 'timeline'
  | 'paymentId'
  | 'cancellation'
  | 'paidAt'
  | 'createdAt'
  | 'updatedAt'
> & {
  _status: Order['_status'];
  _version: Order['_version'];
};

/**
 * The order is stored as one row: sub-orders, lines, refund requests and the timeline are JSON
 * documents of the aggregate (always read and written whole). `sub_order` is a lookup table kept
 * in step on every save, for seller queries and `SubOrder` references.
 */
export const OrderSchema = mapEntity<OrderRow>(Order, {
  tableName: 'orders',
  properties: {
    id: { type: 'uuid', primary: true },
    number: { type: 'text' },
    checkoutId: { type: 'uuid', nullable: true },
    buyerId: { type: 'uuid' },
    currency: { type: 'text' },
    shippingAddress: { type: 'json' },
    subOrders: { type: 'json' },
    refundRequests: { type: 'json' },
    timeline: { type: 'json' },
    paymentId: { type: 'uuid', nullable: true },
    cancellation: { type: 'json', nullable: true },
    paidAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    _status: { type: 'text', fieldName: 'status' },
    _version: { type: 'integer', fieldName: 'version' },
  },
});

export const orderEntities = [OrderSchema];

export class Migration20261121000100CreateOrders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table orders (
        id uuid primary key,
        checkout_id uuid null,
        buyer_id uuid not null,
        currency char(3) not null,
        shipping_address jsonb not null,
        sub_orders jsonb not null,
        refund_requests jsonb not null,
        timeline jsonb not null,
        payment_id uuid null,
        cancellation jsonb null,
        paid_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        status text not null check (status in
          ('PENDING','CONFIRMED','PAID','SHIPPED','COMPLETED','CANCELLED','REFUNDED','FAILED')),
        version int not null
      )`);
    this.addSql('create index orders_buyer_idx on orders (buyer_id, created_at desc, id desc)');
    // Refund requests are found by id (approve/reject, payments replies).
    this.addSql(
      'create index orders_refund_requests_idx on orders using gin (refund_requests jsonb_path_ops)',
    );
    this.addSql(`
      create table sub_order (
        id uuid primary key,
        order_id uuid not null,
        seller_id uuid not null,
        status text not null,
        created_at timestamptz not null
      )`);
    this.addSql('create index sub_order_seller_idx on sub_order (seller_id, created_at desc, id desc)');
    this.addSql('create index sub_order_order_idx on sub_order (order_id)');
  }
}

/**
 * Cancellations that arrived before their order (the saga compensated a create-order that timed
 * out): a create-order arriving later finds the row and records the order CANCELLED instead.
 */
export class Migration20261221000100OrderTombstone extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table order_tombstone (
        order_id uuid primary key,
        code text not null,
        message text not null,
        cancelled_at timestamptz not null
      )`);
  }
}

/** The sequence order numbers are drawn from (see `domain/order-number.ts`). */
export const ORDER_NUMBER_SEQUENCE = 'order_number_seq';

/**
 * Order numbers: every order gets one from the sequence, its sub-orders `<number>-<place>`. Orders
 * placed before this migration are numbered here, oldest first, in the same transaction, so the
 * columns are never null and the unique keys hold from the start.
 */
export class Migration20261231000100OrderNumbers extends Migration {
  override async up(): Promise<void> {
    await this.execute(`create sequence ${ORDER_NUMBER_SEQUENCE} as bigint minvalue 1`);
    await this.execute('alter table orders add column number text null');
    await this.execute('alter table sub_order add column number text null');
    const orders = (await this.execute('select id, sub_orders from orders order by created_at, id')) as {
      id: string;
      sub_orders: SubOrder[];
    }[];
    for (const order of orders) {
      const [{ value }] = (await this.execute(`select nextval('${ORDER_NUMBER_SEQUENCE}') as value`)) as [
        { value: string | number },
      ];
      const number = orderNumberOf(Number(value));
      const subOrders = order.sub_orders.map((s, index) => ({
        ...s,
        number: subOrderNumberOf(number, index),
      }));
      await this.execute('update orders set number = ?, sub_orders = ?::jsonb where id = ?', [
        number,
        JSON.stringify(subOrders),
        order.id,
      ]);
      for (const s of subOrders)
        await this.execute('update sub_order set number = ? where id = ?', [s.number, s.id]);
    }
    await this.execute('alter table orders alter column number set not null');
    await this.execute('alter table orders add constraint orders_number_key unique (number)');
    await this.execute('alter table sub_order alter column number set not null');
    await this.execute('alter table sub_order add constraint sub_order_number_key unique (number)');
  }
}

/**
 * The sub-order lookup's status gets the CHECK the order's status has had from the start: both
 * hold exactly the domain's closed sets (`ORDER_STATUS`, `SUB_ORDER_STATUS`), which the
 * integration spec compares with the live constraints.
 */
export class Migration20270101000100SubOrderStatusCheck extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table sub_order add constraint sub_order_status_check
      check (status in ('PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'))`);
  }
}

/**
 * Refund requests live in the order's `refund_requests` document, so their status had no CHECK:
 * every element of the array now names one, and only values of the domain's set (`REFUND_STATUS`,
 * spelled out as it is today; the integration spec compares it with the live constraint).
 * Added `not valid`: every insert and update is checked from the migration on, but the existing
 * rows are not scanned (a jsonpath query each) while the table's exclusive lock blocks every
 * order; they were only ever written from the aggregate's typed values. An operator can check
 * them later without blocking writes: `alter table orders validate constraint
 * orders_refund_requests_status_check`.
 */
export class Migration20270102000100RefundStatusCheck extends Migration {
  override async up(): Promise<void> {
    this.addSql(`set local lock_timeout = '5s'`);
    this.addSql(`
      alter table orders add constraint orders_refund_requests_status_check check (
        jsonb_typeof(refund_requests) = 'array'
        and jsonb_array_length(jsonb_path_query_array(refund_requests, '$[*].status'))
          = jsonb_array_length(refund_requests)
        and jsonb_path_query_array(refund_requests, '$[*].status')
          <@ '["REQUESTED", "APPROVED", "REJECTED", "COMPLETED", "FAILED"]'::jsonb) not valid`);
  }
}

export const orderMigrations = [
  { name: 'Migration20261121000100CreateOrders', class: Migration20261121000100CreateOrders },
  { name: 'Migration20261221000100OrderTombstone', class: Migration20261221000100OrderTombstone },
  { name: 'Migration20261231000100OrderNumbers', class: Migration20261231000100OrderNumbers },
  { name: 'Migration20270101000100SubOrderStatusCheck', class: Migration20270101000100SubOrderStatusCheck },
  { name: 'Migration20270102000100RefundStatusCheck', class: Migration20270102000100RefundStatusCheck },
];
