import { Migration } from '@mikro-orm/migrations';
import { MoneySchema, mapEntity } from '@marketplace/platform';
import { Coupon } from '../../domain/coupon.js';
import { Redemption } from '../../domain/redemption.js';

/** A coupon as stored: its fields by name, private ones included (checked by the compiler). */
export type CouponRow = Pick<
  Coupon,
  'id' | 'code' | 'scope' | 'sellerId' | 'kind' | 'percentOff' | 'amountOff' | 'createdBy' | 'createdAt'
> & {
  _minimumSpend: Coupon['_minimumSpend'];
  _validFrom: Coupon['_validFrom'];
  _validUntil: Coupon['_validUntil'];
  _totalLimit: Coupon['_totalLimit'];
  _perBuyerLimit: Coupon['_perBuyerLimit'];
  _redeemedCount: Coupon['_redeemedCount'];
  _status: Coupon['_status'];
  _version: Coupon['_version'];
  _updatedAt: Coupon['_updatedAt'];
};

export type RedemptionRow = Pick<
  Redemption,
  'id' | 'couponId' | 'code' | 'buyerId' | 'orderId' | 'discount' | 'redeemedAt'
> & {
  _status: Redemption['_status'];
  _releasedAt: Redemption['_releasedAt'];
};

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const CouponSchema = mapEntity<CouponRow>(Coupon, {
  tableName: 'coupon',
  properties: {
    id: { type: 'uuid', primary: true },
    code: { type: 'text' },
    scope: { type: 'text' },
    sellerId: { type: 'uuid', nullable: true },
    kind: { type: 'text' },
    percentOff: { type: 'integer', nullable: true },
    amountOff: { kind: 'embedded', entity: () => MoneySchema, prefix: 'amount_off_', nullable: true },
    _minimumSpend: {
      kind: 'embedded',
      entity: () => MoneySchema,
      prefix: 'minimum_spend_',
      nullable: true,
    },
    _validFrom: { type: 'datetime', fieldName: 'valid_from' },
    _validUntil: { type: 'datetime', fieldName: 'valid_until', nullable: true },
    _totalLimit: { type: 'integer', fieldName: 'total_limit', nullable: true },
    _perBuyerLimit: { type: 'integer', fieldName: 'per_buyer_limit', nullable: true },
    _redeemedCount: { type: 'integer', fieldName: 'redeemed_count' },
    _status: { type: 'text', fieldName: 'status' },
    _version: { type: 'integer', fieldName: 'version' },
    createdBy: { type: 'uuid' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const RedemptionSchema = mapEntity<RedemptionRow>(Redemption, {
  tableName: 'redemption',
  properties: {
    id: { type: 'uuid', primary: true },
    couponId: { type: 'uuid' },
    code: { type: 'text' },
    buyerId: { type: 'uuid' },
    orderId: { type: 'uuid' },
    discount: { kind: 'embedded', entity: () => MoneySchema, prefix: 'discount_' },
    _status: { type: 'text', fieldName: 'status' },
    redeemedAt: { type: 'datetime' },
    _releasedAt: { type: 'datetime', fieldName: 'released_at', nullable: true },
  },
});

export const couponEntities = [CouponSchema, RedemptionSchema, MoneySchema];

export class Migration20261122000100CreateCoupon extends Migration {
  override async up(): Promise<void> {
    // The checks repeat the domain invariants, so no code path can store an over-redeemed coupon.
    this.addSql(`
      create table coupon (
        id uuid primary key,
        code text not null constraint coupon_code_key unique
          check (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
        scope text not null check (scope in ('PLATFORM', 'SELLER')),
        seller_id uuid null,
        kind text not null check (kind in ('PERCENTAGE', 'FIXED_AMOUNT', 'FREE_SHIPPING')),
        percent_off int null check (percent_off between 1 and 100),
        amount_off_amount bigint null check (amount_off_amount > 0),
        amount_off_currency char(3) null,
        minimum_spend_amount bigint null check (minimum_spend_amount >= 0),
        minimum_spend_currency char(3) null,
        valid_from timestamptz not null,
        valid_until timestamptz null check (valid_until > valid_from),
        total_limit int null check (total_limit >= 1),
        per_buyer_limit int null check (per_buyer_limit >= 1),
        redeemed_count int not null check (redeemed_count >= 0),
        status text not null check (status in ('ACTIVE', 'PAUSED', 'ARCHIVED')),
        version int not null,
        created_by uuid not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint coupon_owner_check check ((scope = 'SELLER') = (seller_id is not null)),
        constraint coupon_within_limit check (total_limit is null or redeemed_count <= total_limit)
      )`);
    this.addSql('create index coupon_seller_idx on coupon (seller_id, created_at desc)');
    this.addSql(`
      create table redemption (
        id uuid primary key,
        coupon_id uuid not null references coupon (id),
        code text not null,
        buyer_id uuid not null,
        order_id uuid not null,
        discount_amount bigint not null check (discount_amount >= 0),
        discount_currency char(3) not null,
        status text not null check (status in ('REDEEMED', 'RELEASED')),
        redeemed_at timestamptz not null,
        released_at timestamptz null,
        -- One redemption per coupon and order: redeeming twice for an order is a replay.
        constraint redemption_coupon_order_key unique (coupon_id, order_id)
      )`);
    this.addSql('create index redemption_order_idx on redemption (order_id)');
    this.addSql(
      "create index redemption_buyer_idx on redemption (coupon_id, buyer_id) where status = 'REDEEMED'",
    );
  }
}

/** Orders that redeemed their coupons for a checkout, with the reply (repeats get it again). */
export class Migration20261215000200OrderRedemption extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table order_redemption (
        order_id uuid primary key,
        checkout_id uuid not null,
        reply jsonb not null,
        redeemed_at timestamptz not null
      )`);
  }
}

/**
 * Codes are unique per owner (the platform, or one store), not across the platform: a store
 * creating a code must learn nothing about other stores' codes. `coalesce` makes the platform
 * one owner (a unique index treats nulls as distinct).
 */
export class Migration20261216000100CouponCodePerOwner extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table coupon drop constraint coupon_code_key');
    this.addSql(
      "create unique index coupon_owner_code_key on coupon (coalesce(seller_id::text, 'PLATFORM'), code)",
    );
    // Buyers' lookups are by code alone (every owner's coupon with it).
    this.addSql('create index coupon_code_idx on coupon (code)');
  }
}

export const couponMigrations = [
  { name: 'Migration20261122000100CreateCoupon', class: Migration20261122000100CreateCoupon },
  { name: 'Migration20261215000200OrderRedemption', class: Migration20261215000200OrderRedemption },
  {
    name: 'Migration20261216000100CouponCodePerOwner',
    class: Migration20261216000100CouponCodePerOwner,
  },
];
