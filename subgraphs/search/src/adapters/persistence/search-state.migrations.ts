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

/**
 * The documents of the Postgres search engine (`SEARCH_ENGINE=postgres`), kept whichever engine
 * runs so switching needs no schema change. Rows are keyed by (physical index, product) like
 * Elasticsearch documents, so a rebuild fills a new index name and swaps the alias row. The
 * full-text vector is generated from the document (name A; attribute values and variant names
 * B; description C) with the `simple` configuration (lower-cased words, no stemming or stop
 * words, as Elasticsearch's standard analyzer). `search_term` is the vocabulary typo tolerance
 * expands query words from: core Postgres only, so PGlite runs it without extensions.
 */
export class Migration20261122010000SearchDocuments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table search_document (
        index_name text not null,
        product_id uuid not null,
        version bigint not null,
        document jsonb not null,
        seller_id uuid not null,
        status text not null,
        category_ids uuid[] not null,
        currency text null,
        prices bigint[] not null,
        price_min bigint null,
        in_stock boolean not null,
        listed_at bigint not null,
        search_vector tsvector generated always as (
          setweight(to_tsvector('simple'::regconfig, coalesce(document ->> 'name', '')), 'A') ||
          setweight(
            to_tsvector(
              'simple'::regconfig,
              coalesce(document -> 'attributeText', '[]'::jsonb) || coalesce(document -> 'variantNames', '[]'::jsonb)
            ),
            'B'
          ) ||
          setweight(to_tsvector('simple'::regconfig, coalesce(document ->> 'description', '')), 'C')
        ) stored,
        updated_at timestamptz not null default now(),
        primary key (index_name, product_id)
      )`);
    this.addSql('create index search_document_vector_idx on search_document using gin (search_vector)');
    this.addSql('create index search_document_categories_idx on search_document using gin (category_ids)');
    this.addSql(`
      create table search_index_alias (
        alias text primary key,
        index_name text not null
      )`);
    // No unique key on purpose: a unique index would make a writer wait for another transaction
    // adding the same new word (and so, through the rebuild's two connections, possibly for
    // ever). Two writers may add the same word twice; readers take distinct terms.
    this.addSql('create table search_term (term text not null)');
    this.addSql('create index search_term_term_idx on search_term (term)');
    this.addSql('create index search_term_fuzzy_idx on search_term (left(term, 1), length(term))');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists search_term');
    this.addSql('drop table if exists search_index_alias');
    this.addSql('drop table if exists search_document');
  }
}

export const searchMigrations = [
  { name: 'Migration20261122000000SearchState', class: Migration20261122000000SearchState },
  { name: 'Migration20261122010000SearchDocuments', class: Migration20261122010000SearchDocuments },
];
