import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { CheckoutSaga } from '../../domain/checkout-saga.js';

/**
 * The saga's stored fields, private ones included (indexed access types, checked by the
 * compiler): a renamed or mistyped one fails to compile here and in `properties`.
 */
export type CheckoutSagaRow = Pick<
  CheckoutSaga,
  | 'id'
  | 'orderId'
  | 'paymentId'
  | 'buyerId'
  | 'cartId'
  | 'idempotencyKey'
  | 'inputHash'
  | 'shippingAddress'
  | 'paymentMethod'
  | 'reservationTtlSeconds'
  | 'createdAt'
> & {
  _status: CheckoutSaga['_status'];
  _currentStep: CheckoutSaga['_currentStep'];
  _inFlight: CheckoutSaga['_inFlight'];
  _deadlineAt: CheckoutSaga['_deadlineAt'];
  _completedSteps: CheckoutSaga['_completedSteps'];
  _snapshot: CheckoutSaga['_snapshot'];
  _quotes: CheckoutSaga['_quotes'];
  _subOrders: CheckoutSaga['_subOrders'];
  _discounts: CheckoutSaga['_discounts'];
  _providerReference: CheckoutSaga['_providerReference'];
  _failure: CheckoutSaga['_failure'];
  _timeline: CheckoutSaga['_timeline'];
  _version: CheckoutSaga['_version'];
  _updatedAt: CheckoutSaga['_updatedAt'];
};

/** One row per saga: everything needed to resume it after a crash lives here (JSON for the replies). */
export const CheckoutSagaSchema = mapEntity<CheckoutSagaRow>(CheckoutSaga, {
  tableName: 'checkout_saga',
  properties: {
    id: { type: 'uuid', primary: true },
    orderId: { type: 'uuid' },
    paymentId: { type: 'uuid' },
    buyerId: { type: 'uuid' },
    cartId: { type: 'uuid' },
    idempotencyKey: { type: 'text' },
    inputHash: { type: 'text' },
    shippingAddress: { type: 'json' },
    paymentMethod: { type: 'json' },
    reservationTtlSeconds: { type: 'integer' },
    _status: { type: 'text', fieldName: 'status' },
    _currentStep: { type: 'text', fieldName: 'current_step' },
    _inFlight: { type: 'json', fieldName: 'in_flight' },
    _deadlineAt: { type: 'datetime', nullable: true, fieldName: 'deadline_at' },
    _completedSteps: { type: 'json', fieldName: 'completed_steps' },
    _snapshot: { type: 'json', nullable: true, fieldName: 'snapshot' },
    _quotes: { type: 'json', nullable: true, fieldName: 'quotes' },
    _subOrders: { type: 'json', nullable: true, fieldName: 'sub_orders' },
    _discounts: { type: 'json', nullable: true, fieldName: 'discounts' },
    _providerReference: { type: 'text', nullable: true, fieldName: 'provider_reference' },
    _failure: { type: 'json', nullable: true, fieldName: 'failure' },
    _timeline: { type: 'json', fieldName: 'timeline' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const checkoutEntities = [CheckoutSagaSchema];

export class Migration20261121000100CreateCheckoutSaga extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table checkout_saga (
        id uuid primary key,
        order_id uuid not null constraint checkout_saga_order_key unique,
        payment_id uuid not null,
        buyer_id uuid not null,
        cart_id uuid not null,
        idempotency_key text not null check (length(idempotency_key) between 8 and 128),
        input_hash text not null,
        shipping_address jsonb not null,
        payment_method jsonb not null,
        reservation_ttl_seconds int not null check (reservation_ttl_seconds > 0),
        status text not null check (status in ('RUNNING', 'COMPENSATING', 'COMPLETED', 'FAILED')),
        current_step text not null check (current_step in ('SNAPSHOT_CART', 'QUOTE_SHIPPING', 'CREATE_ORDER',
          'RESERVE_STOCK', 'REDEEM_COUPONS', 'AUTHORIZE_PAYMENT', 'CONFIRM_ORDER', 'CLEAR_CART')),
        attempt int not null check (attempt >= 0),
        deadline_at timestamptz null,
        pending_command jsonb null,
        completed_steps jsonb not null,
        snapshot jsonb null,
        quotes jsonb null,
        sub_orders jsonb null,
        discounts jsonb null,
        provider_reference text null,
        failure jsonb null,
        timeline jsonb not null,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        -- One checkout per buyer and key: a replayed placeOrder finds the first one.
        constraint checkout_saga_idempotency_key unique (buyer_id, idempotency_key)
      )`);
    this.addSql(
      "create index checkout_saga_deadline_idx on checkout_saga (deadline_at) where status = 'RUNNING'",
    );
  }
}

/**
 * At most one running checkout per cart: two tabs (or a retry with a new key) would otherwise
 * both snapshot, reserve and charge the same lines. COMPENSATING only exists inside a transaction.
 */
export class Migration20261121000200OneRunningCheckoutPerCart extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create unique index checkout_saga_cart_running on checkout_saga (cart_id) where status = 'RUNNING'",
    );
  }
}

/**
 * One running checkout per buyer and cart: another buyer naming the cart's id (its checkout then
 * fails as for a cart that does not exist) neither blocks the owner's checkout nor learns from a
 * CART_IN_CHECKOUT that the cart exists and is being checked out.
 */
export class Migration20261231000300RunningCheckoutPerBuyerCart extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index checkout_saga_cart_running');
    this.addSql(
      "create unique index checkout_saga_cart_running on checkout_saga (buyer_id, cart_id) where status = 'RUNNING'",
    );
  }
}

/**
 * Steps run at the same time: the single step in flight (`attempt`, `pending_command`) becomes a
 * list of steps in flight, each with its command, attempt and deadline. `deadline_at` stays, the
 * earliest of their deadlines, for the timeout sweep; `current_step` stays, the earliest step in
 * flight. A running saga's one pending step is carried over as it was.
 */
export class Migration20261231000400StepsInFlight extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table checkout_saga add column in_flight jsonb not null default '[]'");
    this.addSql(`
      update checkout_saga set in_flight = jsonb_build_array(jsonb_build_object(
        'step', current_step,
        'attempt', attempt,
        'deadlineAt', to_char(deadline_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'command', pending_command))
      where status = 'RUNNING' and pending_command is not null and deadline_at is not null`);
    this.addSql('alter table checkout_saga alter column in_flight drop default');
    this.addSql('alter table checkout_saga drop column attempt, drop column pending_command');
  }
}

/**
 * The CHECKs of `status` and `current_step` list exactly the domain's closed sets
 * (`CHECKOUT_STATUS`, `CHECKOUT_STEP`), in their order, which the integration spec compares with
 * the live constraints. The values are the ones the first migration allowed.
 */
export class Migration20270101000100CheckoutClosedSets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table checkout_saga
      drop constraint checkout_saga_status_check,
      add constraint checkout_saga_status_check
        check (status in ('RUNNING', 'COMPLETED', 'COMPENSATING', 'FAILED')),
      drop constraint checkout_saga_current_step_check,
      add constraint checkout_saga_current_step_check
        check (current_step in ('SNAPSHOT_CART', 'QUOTE_SHIPPING', 'CREATE_ORDER', 'RESERVE_STOCK',
          'REDEEM_COUPONS', 'AUTHORIZE_PAYMENT', 'CONFIRM_ORDER', 'CLEAR_CART'))`);
  }
}

export const checkoutMigrations = [
  { name: 'Migration20261121000100CreateCheckoutSaga', class: Migration20261121000100CreateCheckoutSaga },
  {
    name: 'Migration20261121000200OneRunningCheckoutPerCart',
    class: Migration20261121000200OneRunningCheckoutPerCart,
  },
  {
    name: 'Migration20261231000300RunningCheckoutPerBuyerCart',
    class: Migration20261231000300RunningCheckoutPerBuyerCart,
  },
  { name: 'Migration20261231000400StepsInFlight', class: Migration20261231000400StepsInFlight },
  { name: 'Migration20270101000100CheckoutClosedSets', class: Migration20270101000100CheckoutClosedSets },
];
