import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Review } from '../../domain/review.js';
import { ProductRating } from '../../domain/rating.js';

/** A review as stored: its fields by name, private ones included (checked by the compiler). */
export type ReviewRow = Pick<Review, 'id' | 'buyerId' | 'productId' | 'sellerId' | 'createdAt'> & {
  _orderId: Review['_orderId'];
  _subOrderId: Review['_subOrderId'];
  _stars: Review['_stars'];
  _title: Review['_title'];
  _comment: Review['_comment'];
  _status: Review['_status'];
  _hiddenReason: Review['_hiddenReason'];
  _version: Review['_version'];
  _updatedAt: Review['_updatedAt'];
};

export type ProductRatingRow = Pick<ProductRating, 'productId' | 'sellerId'> & {
  _sum: ProductRating['_sum'];
  _count: ProductRating['_count'];
  _version: ProductRating['_version'];
};

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const ReviewSchema = mapEntity<ReviewRow>(Review, {
  tableName: 'review',
  properties: {
    id: { type: 'uuid', primary: true },
    buyerId: { type: 'uuid' },
    productId: { type: 'uuid' },
    sellerId: { type: 'uuid' },
    _orderId: { type: 'uuid', fieldName: 'order_id' },
    _subOrderId: { type: 'uuid', fieldName: 'sub_order_id', nullable: true },
    _stars: { type: 'smallint', fieldName: 'stars' },
    _title: { type: 'text', fieldName: 'title', nullable: true },
    _comment: { type: 'text', fieldName: 'comment', nullable: true },
    _status: { type: 'text', fieldName: 'status' },
    _hiddenReason: { type: 'text', fieldName: 'hidden_reason', nullable: true },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const ProductRatingSchema = mapEntity<ProductRatingRow>(ProductRating, {
  tableName: 'product_rating',
  properties: {
    productId: { type: 'uuid', primary: true },
    sellerId: { type: 'uuid' },
    _sum: { type: 'integer', fieldName: 'stars_sum' },
    _count: { type: 'integer', fieldName: 'review_count' },
    _version: { type: 'integer', fieldName: 'version' },
  },
});

export const reviewEntities = [ReviewSchema, ProductRatingSchema];

export class Migration20261221000100CreateReviews extends Migration {
  override async up(): Promise<void> {
    // The checks repeat the domain's limits (char_length counts characters, as the domain does).
    this.addSql(`
      create table review (
        id uuid primary key,
        buyer_id uuid not null,
        product_id uuid not null,
        seller_id uuid not null,
        order_id uuid not null,
        sub_order_id uuid null,
        stars smallint not null check (stars between 1 and 5),
        title text null check (char_length(title) between 1 and 120),
        comment text null check (char_length(comment) between 1 and 2000),
        status text not null check (status in ('PUBLISHED', 'HIDDEN')),
        hidden_reason text null,
        version int not null check (version >= 1),
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint review_buyer_product_uq unique (buyer_id, product_id),
        constraint review_hidden_reason_ck check ((status = 'HIDDEN') = (hidden_reason is not null))
      )`);
    // Public listing: a product's published reviews, newest first (ids are time-ordered uuidv7).
    this.addSql(
      `create index review_product_published_idx on review (product_id, id desc) where status = 'PUBLISHED'`,
    );
    // Integer totals only; the average is derived when read, so it never drifts.
    this.addSql(`
      create table product_rating (
        product_id uuid primary key,
        seller_id uuid not null,
        stars_sum int not null,
        review_count int not null,
        version int not null,
        constraint product_rating_range_ck
          check (review_count >= 0 and stars_sum >= review_count and stars_sum <= 5 * review_count)
      )`);
    this.addSql(`
      create table seller_rating (
        seller_id uuid primary key,
        stars_sum bigint not null,
        review_count bigint not null,
        constraint seller_rating_range_ck
          check (review_count >= 0 and stars_sum >= review_count and stars_sum <= 5 * review_count)
      )`);
    // The eligibility projection, fed by orders and shipping events in any order.
    this.addSql(`
      create table purchase_line (
        line_id uuid primary key,
        order_id uuid not null,
        buyer_id uuid not null,
        product_id uuid not null,
        seller_id uuid not null
      )`);
    this.addSql('create index purchase_line_buyer_product_idx on purchase_line (buyer_id, product_id)');
    this.addSql(`
      create table delivered_sub_order (
        order_id uuid not null,
        seller_id uuid not null,
        sub_order_id uuid not null,
        delivered_at timestamptz not null,
        primary key (order_id, seller_id)
      )`);
  }
}

export const reviewMigrations = [
  { name: 'Migration20261221000100CreateReviews', class: Migration20261221000100CreateReviews },
];
