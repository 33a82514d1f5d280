import type { UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { ShippingQuote, ShippingRate } from '../domain/rates.js';
import type { Shipment } from '../domain/shipment.js';

export interface RateRepository {
  /** Every row priced in this currency (any country, any service). */
  inCurrency(currency: string): Promise<ShippingRate[]>;
  /** Inserts the row or replaces the amount of the row with the same country/currency/service/bracket. */
  upsert(rate: ShippingRate): Promise<void>;
}

export interface WeightRepository {
  /** Known unit weights by SKU; a SKU the catalog gave no weight maps to null, unknown ones are absent. */
  unitWeights(skus: readonly string[]): Promise<Map<string, number | null>>;
}

export interface QuoteRepository {
  byCheckoutIdForUpdate(checkoutId: string): Promise<ShippingQuote | null>;
  add(quote: ShippingQuote): void;
}

export interface ShipmentRepository {
  byIdForUpdate(id: string): Promise<Shipment | null>;
  bySubOrderIds(subOrderIds: readonly string[]): Promise<Shipment[]>;
  byOrderIdForUpdate(orderId: string): Promise<Shipment[]>;
  add(shipment: Shipment): void;
}

export interface ShippingTransaction {
  rates: RateRepository;
  weights: WeightRepository;
  quotes: QuoteRepository;
  shipments: ShipmentRepository;
}

/** Shipping's own context fields, besides the caller and the transaction. */
export interface ShippingSettings {
  clock: Clock;
  /** Grams per unit for SKUs the catalog gave no weight. */
  defaultUnitWeightGrams: number;
}

/** What every shipping use case receives besides its input (built by the platform kit). */
export type ShippingContext = UseCaseContext<ShippingTransaction, ShippingSettings>;
