import { Migration } from '@mikro-orm/migrations';

/**
 * Search's own state: the latest product snapshot per product, availability per SKU and the
 * status of stores, so a document can be rebuilt whole from whichever stream changed. The
 * sequence hands out index versions (Elasticsearch external versions): a sequence never gives
 * a number twice, even to a transaction that rolls back.
 */
export class Migration20261122000000SearchState extends Migration {
  override async up(): Promise<void> {
    this.addSql('create sequence search_index_version_seq');
    this.addSql(`
      create table search_product (
        product_id uuid primary key,
        seller_id uuid not null,
        product_version int not null default 0 check (product_version >= 0),
        snapshot jsonb null,
        created_at timestamptz null,
        published_at timestamptz null,
        index_version bigint not null default 0,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table search_stock_level (
        sku text primary key,
        product_id uuid not null,
        variant_id uuid null,
        available int not null,
        version int not null,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table search_seller (
        seller_id uuid primary key,
        status text not null check (status in ('PENDING', 'ACTIVE', 'SUSPENDED')),
        version int not null,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(
      `create index search_seller_suspended_idx on search_seller (seller_id) where status = 'SUSPENDED'`,
    );
    // At most one index under construction per alias.
    this.addSql(`
      create table search_index_build (
        alias text primary key,
        index_name text not null unique,
        started_at timestamptz not null,
        heartbeat_at timestamptz not null
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists search_index_build');
    this.addSql('drop table if exists search_seller');
    this.addSql('drop table if exists search_stock_level');
    this.addSql('drop table if exists search_product');
    this.addSql('drop sequence if exists search_index_version_seq');
  }
}

export const searchMigrations = [
  { name: 'Migration20261122000000SearchState', class: Migration20261122000000SearchState },
];
