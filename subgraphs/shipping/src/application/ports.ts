import type { Actor } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
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
  /** Enlists an aggregate whose recorded events go to the outbox on commit. */
  track(aggregate: Shipment | ShippingQuote): void;
}

/** What every shipping use case receives besides its input. */
export interface ShippingContext {
  /** The caller; null when shipping reacts to an event. */
  actor: Actor | null;
  clock: Clock;
  /** Grams per unit for SKUs the catalog gave no weight. */
  defaultUnitWeightGrams: number;
  /** Runs the work in one transaction; a rejected result rolls it back. */
  transaction<T>(work: (tx: ShippingTransaction) => Promise<Result<T>>): Promise<Result<T>>;
}
