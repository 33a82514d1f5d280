import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { MoneySchema } from '@marketplace/platform';
import { Product } from '../../domain/product.js';

/** Maps the domain class without decorators; MikroORM hydrates it without running its constructor. */
export const ProductSchema = new EntitySchema<Product>({
  class: Product as never,
  tableName: 'product',
  properties: {
    id: { type: 'uuid', primary: true },
    sellerId: { type: 'uuid', index: true },
    _name: { type: 'text', fieldName: 'name' },
    _description: { type: 'text', fieldName: 'description' },
    _price: { kind: 'embedded', entity: () => MoneySchema, prefix: 'price_' },
    _status: { type: 'text', fieldName: 'status' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  } as never,
});

export const productEntities = [ProductSchema, MoneySchema];

export class Migration20261121000100CreateProduct extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table product (
        id uuid primary key,
        seller_id uuid not null,
        name text not null,
        description text not null,
        price_amount bigint not null check (price_amount >= 0),
        price_currency char(3) not null,
        status text not null check (status in ('DRAFT', 'PUBLISHED', 'UNPUBLISHED', 'DELETED')),
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index product_seller_idx on product (seller_id)');
  }
}

export const productMigrations = [
  { name: 'Migration20261121000100CreateProduct', class: Migration20261121000100CreateProduct },
];
