import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Cart } from '../../domain/cart.js';

/** A cart as stored: its fields by name, private ones included (checked by the compiler). */
export type CartRow = Pick<Cart, 'id' | 'buyerId' | 'guestTokenHash' | 'createdAt'> & {
  _status: Cart['_status'];
  _currency: Cart['_currency'];
  _lines: Cart['_lines'];
  _couponCodes: Cart['_couponCodes'];
  _version: Cart['_version'];
  _updatedAt: Cart['_updatedAt'];
  _expiresAt: Cart['_expiresAt'];
  _mergedIntoCartId: Cart['_mergedIntoCartId'];
  _closedAt: Cart['_closedAt'];
};

/**
 * Maps the aggregate without decorators; MikroORM hydrates it without running its constructor.
 * Lines and coupon codes live in jsonb columns: they are only ever read and written with their
 * cart, so N carts are one row each and one query.
 */
export const CartSchema = mapEntity<CartRow>(Cart, {
  tableName: 'cart',
  properties: {
    id: { type: 'uuid', primary: true },
    buyerId: { type: 'uuid', nullable: true },
    guestTokenHash: { type: 'text', nullable: true },
    _status: { type: 'text', fieldName: 'status' },
    _currency: { type: 'string', length: 3, nullable: true, fieldName: 'currency' },
    _lines: { type: 'json', fieldName: 'lines' },
    _couponCodes: { type: 'json', fieldName: 'coupon_codes' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    _expiresAt: { type: 'datetime', fieldName: 'expires_at' },
    _mergedIntoCartId: { type: 'uuid', nullable: true, fieldName: 'merged_into_cart_id' },
    _closedAt: { type: 'datetime', nullable: true, fieldName: 'closed_at' },
  },
});

export const cartEntities = [CartSchema];

export class Migration20261121000500CreateCart extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table cart (
        id uuid primary key,
        buyer_id uuid,
        guest_token_hash text unique check (guest_token_hash ~ '^[0-9a-f]{64}$'),
        status text not null check (status in ('ACTIVE', 'MERGED', 'EXPIRED')),
        currency char(3),
        lines jsonb not null check (jsonb_typeof(lines) = 'array'),
        coupon_codes jsonb not null check (jsonb_typeof(coupon_codes) = 'array'),
        version int not null check (version >= 1),
        created_at timestamptz not null,
        updated_at timestamptz not null,
        expires_at timestamptz not null,
        merged_into_cart_id uuid references cart (id),
        closed_at timestamptz,
        -- Exactly one owner: a buyer or a guest token.
        check ((buyer_id is null) <> (guest_token_hash is null)),
        check ((status = 'ACTIVE') = (closed_at is null)),
        check ((status = 'MERGED') = (merged_into_cart_id is not null))
      )`);
    // One open cart per buyer, checked at commit: a unit of work that expires a buyer's old
    // cart and opens the new one may write the two rows in either order.
    this.addSql(`
      alter table cart add constraint cart_one_active_per_buyer
        exclude using btree (buyer_id with =) where (status = 'ACTIVE' and buyer_id is not null)
        deferrable initially deferred`);
    // The sweeper's scan.
    this.addSql(`create index cart_active_expiry_idx on cart (expires_at) where status = 'ACTIVE'`);

    // The cart's copy of the catalog, fed by product events (the `sku_catalog` read model).
    this.addSql(`
      create table catalog_product (
        product_id uuid primary key,
        seller_id uuid not null,
        name text not null,
        status text not null check (status in ('DRAFT', 'PUBLISHED', 'UNPUBLISHED', 'DELETED')),
        version int not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table sku_catalog (
        variant_id uuid primary key,
        product_id uuid not null references catalog_product (product_id),
        sku text not null,
        name text not null,
        price_amount bigint check (price_amount >= 0),
        price_currency char(3),
        listed boolean not null,
        updated_at timestamptz not null,
        check ((price_amount is null) = (price_currency is null))
      )`);
    this.addSql('create index sku_catalog_sku_idx on sku_catalog (sku) where listed');
    this.addSql('create index sku_catalog_product_idx on sku_catalog (product_id)');
  }
}

/**
 * The sellers' standing, fed by `accounts.store-status-changed` events: a line of a SUSPENDED
 * seller is unavailable. A seller the cart has not heard of has no row and is in good standing.
 */
export class Migration20261205000500SellerStanding extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table seller_standing (
        seller_id uuid primary key,
        status text not null check (status in ('PENDING', 'ACTIVE', 'SUSPENDED')),
        version int not null check (version >= 1),
        updated_at timestamptz not null
      )`);
  }
}

/**
 * Checkout: a cart whose last lines an order took is CHECKED_OUT (final, closed), and each
 * clear-cart is recorded with its reply, so a repeat for the same checkout changes nothing.
 */
export class Migration20261215000300CartCheckout extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table cart drop constraint cart_status_check');
    this.addSql(`alter table cart add constraint cart_status_check
      check (status in ('ACTIVE', 'MERGED', 'EXPIRED', 'CHECKED_OUT'))`);
    this.addSql(`
      create table cart_checkout (
        checkout_id uuid primary key,
        cart_id uuid not null references cart (id),
        order_id uuid not null,
        reply jsonb not null,
        cleared_at timestamptz not null
      )`);
  }
}

export const cartMigrations = [
  { name: 'Migration20261121000500CreateCart', class: Migration20261121000500CreateCart },
  { name: 'Migration20261205000500SellerStanding', class: Migration20261205000500SellerStanding },
  { name: 'Migration20261215000300CartCheckout', class: Migration20261215000300CartCheckout },
];
