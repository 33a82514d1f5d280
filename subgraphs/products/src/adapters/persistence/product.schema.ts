import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Product } from '../../domain/product.js';
import { Category } from '../../domain/category.js';

/** A product as stored: its fields by name, private ones included (checked by the compiler). */
export type ProductRow = Pick<Product, 'id' | 'sellerId' | 'createdAt'> & {
  _name: Product['_name'];
  _slug: Product['_slug'];
  _description: Product['_description'];
  _categoryPath: Product['_categoryPath'];
  _attributes: Product['_attributes'];
  _images: Product['_images'];
  _variants: Product['_variants'];
  _status: Product['_status'];
  _version: Product['_version'];
  _updatedAt: Product['_updatedAt'];
  _publishedAt: Product['_publishedAt'];
};

export type CategoryRow = Pick<Category, 'id' | 'name' | 'slug' | 'parentId' | 'path' | 'createdAt'>;

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const ProductSchema = mapEntity<ProductRow>(Product, {
  tableName: 'product',
  properties: {
    id: { type: 'uuid', primary: true },
    sellerId: { type: 'uuid', index: true },
    _name: { type: 'text', fieldName: 'name' },
    _slug: { type: 'text', fieldName: 'slug' },
    _description: { type: 'text', fieldName: 'description' },
    _categoryPath: { type: 'json', fieldName: 'category_path' },
    _attributes: { type: 'json', fieldName: 'attributes' },
    _images: { type: 'json', fieldName: 'images' },
    _variants: { type: 'json', fieldName: 'variants' },
    _status: { type: 'text', fieldName: 'status' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    _publishedAt: { type: 'datetime', fieldName: 'published_at', nullable: true },
  },
});

export const CategorySchema = mapEntity<CategoryRow>(Category, {
  tableName: 'category',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    slug: { type: 'text', unique: true },
    parentId: { type: 'uuid', nullable: true },
    path: { type: 'json' },
    createdAt: { type: 'datetime' },
  },
});

export const productEntities = [ProductSchema, CategorySchema];

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

/**
 * The catalog model: variants with marketplace-unique SKUs and per-variant prices, images,
 * attributes, a category tree, and the projection of store standing. `category_ids` and
 * `variant_ids` are derived by a trigger from the JSON columns so listings by category and
 * variant lookups use GIN indexes without the domain knowing about them.
 */
export class Migration20261121000200CatalogModel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table product
        drop column price_amount,
        drop column price_currency,
        add column slug text,
        add column category_path jsonb not null default '[]',
        add column attributes jsonb not null default '[]',
        add column images jsonb not null default '[]',
        add column variants jsonb not null default '[]',
        add column published_at timestamptz,
        add column category_ids uuid[] not null default '{}',
        add column variant_ids uuid[] not null default '{}'`);
    this.addSql(`update product set slug = 'product-' || replace(id::text, '-', '') where slug is null`);
    this.addSql('alter table product alter column slug set not null');
    this.addSql('create unique index product_slug_key on product (slug)');
    this.addSql(`
      create function product_derive_keys() returns trigger language plpgsql as $$
      begin
        new.category_ids := array(select (e->>'id')::uuid from jsonb_array_elements(new.category_path) e);
        new.variant_ids := array(select (e->>'variantId')::uuid from jsonb_array_elements(new.variants) e);
        return new;
      end $$`);
    this.addSql(`
      create trigger product_derive_keys before insert or update of category_path, variants on product
      for each row execute function product_derive_keys()`);
    this.addSql('create index product_category_ids_idx on product using gin (category_ids)');
    this.addSql('create index product_variant_ids_idx on product using gin (variant_ids)');
    this.addSql(`
      create index product_storefront_idx on product (published_at desc, id desc)
      where status = 'PUBLISHED'`);
    this.addSql(`
      create table sku (
        sku text primary key,
        product_id uuid not null,
        variant_id uuid not null unique
      )`);
    this.addSql(`
      create table category (
        id uuid primary key,
        name text not null,
        slug text not null unique,
        parent_id uuid references category (id),
        path jsonb not null,
        created_at timestamptz not null
      )`);
    this.addSql('create index category_parent_idx on category (parent_id)');
    this.addSql(`
      create table seller_standing (
        seller_id uuid primary key,
        status text not null check (status in ('PENDING', 'ACTIVE', 'SUSPENDED')),
        version int not null
      )`);
  }
}

export const productMigrations = [
  { name: 'Migration20261121000100CreateProduct', class: Migration20261121000100CreateProduct },
  { name: 'Migration20261121000200CatalogModel', class: Migration20261121000200CatalogModel },
];
