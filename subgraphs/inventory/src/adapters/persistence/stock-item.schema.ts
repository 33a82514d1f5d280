import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { StockItem } from '../../domain/stock-item.js';

export const StockItemSchema = new EntitySchema<StockItem>({
  class: StockItem as never,
  tableName: 'stock_item',
  properties: {
    id: { type: 'uuid', primary: true },
    productId: { type: 'uuid', unique: true },
    sellerId: { type: 'uuid' },
    _onHand: { type: 'integer', fieldName: 'on_hand' },
    _reserved: { type: 'integer', fieldName: 'reserved' },
    _version: { type: 'integer', fieldName: 'version' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  } as never,
});

export class Migration20261121000200CreateStockItem extends Migration {
  override async up(): Promise<void> {
    // The checks repeat the domain invariant so no code path can store an oversold row.
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

export const inventoryMigrations = [
  { name: 'Migration20261121000200CreateStockItem', class: Migration20261121000200CreateStockItem },
];
