import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { StockItem } from '../../domain/stock-item.js';
import { Reservation } from '../../domain/reservation.js';

/** A stock item as stored: its fields by name, private ones included (checked by the compiler). */
export type StockItemRow = Pick<StockItem, 'id' | 'sku' | 'productId' | 'sellerId' | 'createdAt'> & {
  _onHand: StockItem['_onHand'];
  _available: StockItem['_available'];
  _reserved: StockItem['_reserved'];
  _committed: StockItem['_committed'];
  _version: StockItem['_version'];
  _updatedAt: StockItem['_updatedAt'];
};

/** A reservation as stored: its fields by name, private ones included (checked by the compiler). */
export type ReservationRow = Pick<Reservation, 'id' | 'reference' | 'kind' | 'createdAt'> & {
  _status: Reservation['_status'];
  _lines: Reservation['_lines'];
  _expiresAt: Reservation['_expiresAt'];
  _version: Reservation['_version'];
  _updatedAt: Reservation['_updatedAt'];
  _cartHold: Reservation['_cartHold'];
};

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const StockItemSchema = mapEntity<StockItemRow>(StockItem, {
  tableName: 'stock_item',
  properties: {
    id: { type: 'uuid', primary: true, fieldName: 'variant_id' },
    sku: { type: 'text', unique: true },
    productId: { type: 'uuid' },
    sellerId: { type: 'uuid' },
    _onHand: { type: 'integer', fieldName: 'on_hand' },
    _available: { type: 'integer', fieldName: 'available' },
    _reserved: { type: 'integer', fieldName: 'reserved' },
    _committed: { type: 'integer', fieldName: 'committed' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const ReservationSchema = mapEntity<ReservationRow>(Reservation, {
  tableName: 'reservation',
  properties: {
    id: { type: 'uuid', primary: true },
    reference: { type: 'text', unique: true },
    kind: { type: 'text' },
    _status: { type: 'text', fieldName: 'status' },
    _lines: { type: 'json', fieldName: 'lines' },
    _expiresAt: { type: 'datetime', fieldName: 'expires_at' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    _cartHold: { type: 'text', fieldName: 'cart_hold', nullable: true },
  },
});

export const inventoryEntities = [StockItemSchema, ReservationSchema];

export class Migration20261121000200CreateStockItem extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table stock_item (
        id uuid primary key,
        product_id uuid not null unique,
        seller_id uuid not null,
        on_hand int not null check (on_hand >= 0),
        reserved int not null check (reserved >= 0 and reserved <= on_hand),
        version int not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index stock_item_seller_idx on stock_item (seller_id)');
  }
}

/**
 * Stock per SKU instead of per product. The per-product counts cannot be split over variants,
 * so the old table goes; records reopen from the catalog's v2 events (sellers re-enter counts).
 * The checks repeat the domain invariant, so no code path can store an oversold or unbalanced
 * row. SKUs sort bytewise (collate "C"), the order the domain sorts them in for locking.
 */
export class Migration20261201000100StockPerSku extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop table stock_item');
    this.addSql(`
      create table stock_item (
        variant_id uuid primary key,
        sku text collate "C" not null unique,
        product_id uuid not null,
        seller_id uuid not null,
        on_hand int not null,
        available int not null,
        reserved int not null,
        committed int not null,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint stock_item_levels_not_negative
          check (on_hand >= 0 and available >= 0 and reserved >= 0 and committed >= 0),
        constraint stock_item_levels_balance check (on_hand = available + reserved + committed)
      )`);
    this.addSql('create index stock_item_product_idx on stock_item (product_id)');
    this.addSql('create index stock_item_seller_sku_idx on stock_item (seller_id, sku)');
    this.addSql(`
      create table reservation (
        id uuid primary key,
        reference text not null unique,
        kind text not null check (kind in ('FIRM', 'SOFT')),
        status text not null check (status in ('HELD', 'COMMITTED', 'RELEASED', 'EXPIRED')),
        lines jsonb not null,
        expires_at timestamptz not null,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index reservation_expiry_idx on reservation (expires_at) where status = 'HELD'`);
  }
}

/** One row per refund request whose units went back to stock: restocking happens once. */
export class Migration20261215000100Restock extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table restock (
        refund_request_id uuid primary key,
        order_id uuid not null,
        restocked_at timestamptz not null
      )`);
  }
}

/**
 * A checkout's reservation remembers the cart hold it took units from (`cart_hold`), so its
 * compensation gives the cart its hold back. Checkouts take units from other carts' holds when
 * stock is short: the index finds the held cart holds quickly.
 */
export class Migration20261220000100CartHoldOfReservation extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table reservation add column cart_hold text');
    this.addSql(
      `create index reservation_held_holds_idx on reservation (updated_at) where kind = 'SOFT' and status = 'HELD'`,
    );
  }
}

export const inventoryMigrations = [
  { name: 'Migration20261121000200CreateStockItem', class: Migration20261121000200CreateStockItem },
  { name: 'Migration20261201000100StockPerSku', class: Migration20261201000100StockPerSku },
  { name: 'Migration20261215000100Restock', class: Migration20261215000100Restock },
  {
    name: 'Migration20261220000100CartHoldOfReservation',
    class: Migration20261220000100CartHoldOfReservation,
  },
];
