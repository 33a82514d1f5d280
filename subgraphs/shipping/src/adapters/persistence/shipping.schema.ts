import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Shipment } from '../../domain/shipment.js';
import { ShippingQuote } from '../../domain/rates.js';
import { SEED_RATES } from './rate-seed.js';

/** A shipment's stored fields, named by the compiler (private ones included). */
interface ShipmentRow {
  id: Shipment['id'];
  orderId: Shipment['orderId'];
  subOrderId: Shipment['subOrderId'];
  sellerId: Shipment['sellerId'];
  buyerId: Shipment['buyerId'];
  _status: Shipment['_status'];
  _carrier: Shipment['_carrier'];
  _trackingNumber: Shipment['_trackingNumber'];
  _timeline: Shipment['_timeline'];
  _version: Shipment['_version'];
  createdAt: Shipment['createdAt'];
  _updatedAt: Shipment['_updatedAt'];
}

interface ShippingQuoteRow {
  id: ShippingQuote['id'];
  outcome: ShippingQuote['outcome'];
  _answeredCount: ShippingQuote['_answeredCount'];
  createdAt: ShippingQuote['createdAt'];
  _updatedAt: ShippingQuote['_updatedAt'];
}

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const ShipmentSchema = mapEntity<ShipmentRow>(Shipment, {
  tableName: 'shipment',
  properties: {
    id: { type: 'uuid', primary: true },
    orderId: { type: 'uuid' },
    subOrderId: { type: 'uuid', unique: true },
    sellerId: { type: 'uuid' },
    buyerId: { type: 'uuid' },
    _status: { type: 'text', fieldName: 'status' },
    _carrier: { type: 'text', nullable: true, fieldName: 'carrier' },
    _trackingNumber: { type: 'text', nullable: true, fieldName: 'tracking_number' },
    _timeline: { type: 'json', fieldName: 'timeline' },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const ShippingQuoteSchema = mapEntity<ShippingQuoteRow>(ShippingQuote, {
  tableName: 'shipping_quote',
  properties: {
    id: { type: 'uuid', primary: true, fieldName: 'checkout_id' },
    outcome: { type: 'json' },
    _answeredCount: { type: 'integer', fieldName: 'answered_count' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const shippingEntities = [ShipmentSchema, ShippingQuoteSchema];

/**
 * Rate table (seeded), the SKU weight projection of the catalog, stored quote answers and
 * shipments. One shipment per sub-order is enforced by the unique key, not only by the code.
 */
export class Migration20261210000100CreateShipping extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table shipping_rate (
        country text not null check (country = '*' or country ~ '^[A-Z]{2}$'),
        currency char(3) not null,
        service text not null check (service in ('STANDARD', 'EXPRESS')),
        max_weight_g int not null check (max_weight_g > 0),
        amount bigint not null check (amount >= 0),
        updated_at timestamptz not null default now(),
        primary key (currency, country, service, max_weight_g)
      )`);
    const values = SEED_RATES.map(
      (r) => `('${r.country}', '${r.currency}', '${r.service}', ${r.maxWeightGrams}, ${r.amount})`,
    ).join(',\n');
    this.addSql(
      `insert into shipping_rate (country, currency, service, max_weight_g, amount) values ${values}`,
    );
    this.addSql(`
      create table sku_weight (
        sku text collate "C" primary key,
        product_id uuid not null,
        weight_g int check (weight_g > 0),
        product_version int not null
      )`);
    this.addSql(`
      create table shipping_quote (
        checkout_id uuid primary key,
        outcome jsonb not null,
        answered_count int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table shipment (
        id uuid primary key,
        order_id uuid not null,
        sub_order_id uuid not null unique,
        seller_id uuid not null,
        buyer_id uuid not null,
        status text not null check (status in ('PENDING', 'DISPATCHED', 'DELIVERED', 'CANCELLED')),
        carrier text,
        tracking_number text,
        timeline jsonb not null,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index shipment_order_idx on shipment (order_id)');
    this.addSql('create index shipment_seller_idx on shipment (seller_id, status, created_at)');
  }
}

export const shippingMigrations = [
  { name: 'Migration20261210000100CreateShipping', class: Migration20261210000100CreateShipping },
];
