import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, storedWhere } from '@marketplace/platform';
import { ShipmentSchema } from './shipping.schema.js';
import { isUuid, systemClock, type Clock } from '@marketplace/shared-kernel';
import { Shipment, type ShipmentStatus } from '../../domain/shipment.js';
import { ShippingQuote, type ShippingRate, type ShippingService } from '../../domain/rates.js';
import type {
  QuoteRepository,
  RateRepository,
  ShipmentRepository,
  ShippingSettings,
  ShippingTransaction,
  WeightRepository,
} from '../../application/ports.js';

interface RateRow {
  country: string;
  currency: string;
  service: ShippingService;
  max_weight_g: number;
  amount: string | number;
}

const toRate = (r: RateRow): ShippingRate => ({
  country: r.country,
  currency: r.currency,
  service: r.service,
  maxWeightGrams: r.max_weight_g,
  amount: Number(r.amount),
});

export class SqlRateRepository implements RateRepository {
  constructor(private readonly em: EntityManager) {}

  async inCurrency(currency: string): Promise<ShippingRate[]> {
    const rows = await this.em.execute<RateRow[]>(
      'select country, currency, service, max_weight_g, amount from shipping_rate where currency = ?',
      [currency],
    );
    return rows.map(toRate);
  }

  async upsert(rate: ShippingRate): Promise<void> {
    await this.em.execute(
      `insert into shipping_rate (country, currency, service, max_weight_g, amount) values (?, ?, ?, ?, ?)
       on conflict (currency, country, service, max_weight_g)
       do update set amount = excluded.amount, updated_at = now()`,
      [rate.country, rate.currency, rate.service, rate.maxWeightGrams, rate.amount],
    );
  }
}

/** The public rate table, ordered for display. */
export async function listRates(
  em: EntityManager,
  filter: { country: string | null; currency: string | null },
): Promise<ShippingRate[]> {
  const rows = await em.execute<RateRow[]>(
    `select country, currency, service, max_weight_g, amount from shipping_rate
     where (?::text is null or country = ? or country = '*') and (?::text is null or currency = ?)
     order by currency, country = '*', country, service = 'EXPRESS', max_weight_g`,
    [filter.country, filter.country, filter.currency, filter.currency],
  );
  return rows.map(toRate);
}

export class SqlWeightRepository implements WeightRepository {
  constructor(private readonly em: EntityManager) {}

  async unitWeights(skus: readonly string[]): Promise<Map<string, number | null>> {
    if (skus.length === 0) return new Map();
    const rows = await this.em.execute<{ sku: string; weight_g: number | null }[]>(
      `select sku, weight_g from sku_weight where sku in (${skus.map(() => '?').join(', ')})`,
      [...skus],
    );
    return new Map(rows.map((r) => [r.sku, r.weight_g]));
  }
}

/** Projection of the catalog: an older product version never overwrites a newer one. */
export async function recordSkuWeights(
  em: EntityManager,
  product: { productId: string; version: number; variants: { sku: string; weightGrams: number | null }[] },
): Promise<void> {
  for (const v of product.variants) {
    await em.execute(
      `insert into sku_weight (sku, product_id, weight_g, product_version) values (?, ?, ?, ?)
       on conflict (sku) do update set product_id = excluded.product_id, weight_g = excluded.weight_g,
         product_version = excluded.product_version
       where sku_weight.product_version <= excluded.product_version`,
      [v.sku, product.productId, v.weightGrams, product.version],
    );
  }
}

export class MikroQuoteRepository implements QuoteRepository {
  constructor(private readonly em: EntityManager) {}

  byCheckoutIdForUpdate(checkoutId: string): Promise<ShippingQuote | null> {
    return this.em.findOne(
      ShippingQuote,
      { id: checkoutId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }

  add(quote: ShippingQuote): void {
    this.em.persist(quote);
  }
}

export class MikroShipmentRepository implements ShipmentRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<Shipment | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.em.findOne(Shipment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  bySubOrderIds(subOrderIds: readonly string[]): Promise<Shipment[]> {
    if (subOrderIds.length === 0) return Promise.resolve([]);
    return this.em.find(Shipment, { subOrderId: { $in: [...subOrderIds] } });
  }

  byOrderIdForUpdate(orderId: string): Promise<Shipment[]> {
    return this.em.find(
      Shipment,
      { orderId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
    );
  }

  add(shipment: Shipment): void {
    this.em.persist(shipment);
  }
}

/** Shipping's use-case kit: its repositories over one transaction and its settings. */
export function shippingUseCases(settings: { defaultUnitWeightGrams: number; clock?: Clock }) {
  return defineUseCases<ShippingTransaction, ShippingSettings>({
    producer: 'shipping',
    repositories: (em) => ({
      rates: new SqlRateRepository(em),
      weights: new SqlWeightRepository(em),
      quotes: new MikroQuoteRepository(em),
      shipments: new MikroShipmentRepository(em),
    }),
    extras: () => ({
      clock: settings.clock ?? systemClock,
      defaultUnitWeightGrams: settings.defaultUnitWeightGrams,
    }),
  });
}

export function shipmentsByIds(em: EntityManager, ids: readonly string[]): Promise<Shipment[]> {
  return em.find(Shipment, { id: { $in: ids.filter(isUuid) } });
}

export function shipmentsBySubOrderIds(em: EntityManager, ids: readonly string[]): Promise<Shipment[]> {
  return em.find(Shipment, { subOrderId: { $in: ids.filter(isUuid) } });
}

export function shipmentsByOrderIds(em: EntityManager, ids: readonly string[]): Promise<Shipment[]> {
  return em.find(Shipment, { orderId: { $in: ids.filter(isUuid) } }, { orderBy: { createdAt: 'asc' } });
}

export function shipmentsOfSeller(
  em: EntityManager,
  sellerId: string,
  status: ShipmentStatus | null,
  limit: number,
): Promise<Shipment[]> {
  return em.find(
    Shipment,
    storedWhere(Shipment, ShipmentSchema, status ? { sellerId, _status: status } : { sellerId }),
    {
      orderBy: { createdAt: 'desc' },
      limit,
    },
  );
}
