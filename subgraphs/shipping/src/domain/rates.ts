import {
  AggregateRoot,
  Guard,
  Money,
  closedSet,
  combine,
  domainError,
  err,
  isCurrency,
  ok,
} from '@marketplace/shared-kernel';
import type { DomainError, MemberOf, Result } from '@marketplace/shared-kernel';

/** Declared once: the GraphQL enum and the rate table's CHECK derive from it. */
export const SHIPPING_SERVICE = closedSet('ShippingService', ['STANDARD', 'EXPRESS']);
export type ShippingService = MemberOf<typeof SHIPPING_SERVICE>;
/** The rate row that applies to every country without rows of its own. */
export const REST_OF_WORLD = '*';
/** Heaviest bracket an admin may define (a parcel above every bracket is refused as too heavy). */
export const MAX_BRACKET_GRAMS = 1_000_000;

/** One row of the rate table: a parcel up to `maxWeightGrams` to `country` costs `amount`. */
export interface ShippingRate {
  country: string;
  currency: string;
  service: ShippingService;
  maxWeightGrams: number;
  /** Integer minor units of `currency`. */
  amount: number;
}

export const ShippingErrors = {
  currencyNotSupported: (currency: string): DomainError =>
    domainError('SHIPPING.CURRENCY_NOT_SUPPORTED', `Shipping is not priced in ${currency}`),
  destinationNotServed: (country: string): DomainError =>
    domainError('SHIPPING.DESTINATION_NOT_SERVED', `We do not ship to ${country}`),
  noParcels: (): DomainError => domainError('SHIPPING.NO_PARCELS', 'There is no parcel to quote', 'parcels'),
  tooHeavy: (grams: number): DomainError =>
    domainError('SHIPPING.TOO_HEAVY', `A parcel of ${grams} g is heavier than any rate allows`),
};

/** Checks an admin's rate row: country code or `*`, known currency, positive bracket, amount >= 0. */
export function parseRate(input: ShippingRate): Result<ShippingRate> {
  const country = input.country.trim().toUpperCase();
  if (country !== REST_OF_WORLD && !/^[A-Z]{2}$/.test(country))
    return err(
      domainError('VALIDATION.INVALID_COUNTRY', 'country is an ISO-3166 alpha-2 code or *', 'country'),
    );
  if (!isCurrency(input.currency))
    return err(domainError('MONEY.UNKNOWN_CURRENCY', `Unknown currency ${input.currency}`, 'currency'));
  if (!SHIPPING_SERVICE.has(input.service))
    return err(
      domainError(
        'VALIDATION.INVALID_SERVICE',
        `service is ${SHIPPING_SERVICE.values.join(' or ')}`,
        'service',
      ),
    );
  const checked = combine(
    Guard.integer('maxWeightGrams', input.maxWeightGrams, { min: 1, max: MAX_BRACKET_GRAMS }),
    Money.input(input.amount, input.currency, 'amount', { min: 0 }),
  );
  if (!checked.ok) return checked;
  return ok({ ...input, country });
}

export interface ParcelItem {
  sku: string;
  quantity: number;
}

/** Parcel weight: each SKU's known unit weight, or the default when the catalog gives none. */
export function parcelWeight(
  items: readonly ParcelItem[],
  unitWeights: ReadonlyMap<string, number | null>,
  defaultUnitWeightGrams: number,
): number {
  return items.reduce(
    (sum, item) => sum + (unitWeights.get(item.sku) ?? defaultUnitWeightGrams) * item.quantity,
    0,
  );
}

export interface ParcelQuote {
  service: ShippingService;
  amount: number;
  currency: string;
  weightGrams: number;
}

/**
 * Price of one parcel: the destination's own rows, else the rest-of-world rows, in the currency;
 * of the STANDARD brackets that fit the weight, the cheapest.
 */
export function quoteParcel(
  rates: readonly ShippingRate[],
  parcel: { country: string; currency: string; weightGrams: number },
): Result<ParcelQuote> {
  const inCurrency = rates.filter((r) => r.currency === parcel.currency);
  if (inCurrency.length === 0) return err(ShippingErrors.currencyNotSupported(parcel.currency));
  const standard = inCurrency.filter((r) => r.service === 'STANDARD');
  const own = standard.filter((r) => r.country === parcel.country);
  const zone = own.length > 0 ? own : standard.filter((r) => r.country === REST_OF_WORLD);
  if (zone.length === 0) return err(ShippingErrors.destinationNotServed(parcel.country));
  const fitting = zone.filter((r) => r.maxWeightGrams >= parcel.weightGrams);
  if (fitting.length === 0) return err(ShippingErrors.tooHeavy(parcel.weightGrams));
  const best = fitting.reduce((a, b) =>
    b.amount < a.amount || (b.amount === a.amount && b.maxWeightGrams < a.maxWeightGrams) ? b : a,
  );
  return ok({
    service: best.service,
    amount: best.amount,
    currency: parcel.currency,
    weightGrams: parcel.weightGrams,
  });
}

export interface QuoteRequest {
  checkoutId: string;
  currency: string;
  country: string;
  parcels: readonly { sellerId: string; items: readonly ParcelItem[] }[];
}

export interface SellerQuote {
  sellerId: string;
  service: string;
  amount: { amount: number; currency: string };
  weightGrams: number;
}

/** A quote answers for at least one parcel. */
export type SellerQuotes = [SellerQuote, ...SellerQuote[]];

/** Quotes every seller parcel; the first parcel that cannot be shipped rejects the whole request. */
export function quoteParcels(
  request: QuoteRequest,
  rates: readonly ShippingRate[],
  unitWeights: ReadonlyMap<string, number | null>,
  defaultUnitWeightGrams: number,
): Result<SellerQuotes> {
  const quotes: SellerQuote[] = [];
  for (const parcel of request.parcels) {
    const weightGrams = parcelWeight(parcel.items, unitWeights, defaultUnitWeightGrams);
    const quoted = quoteParcel(rates, { country: request.country, currency: request.currency, weightGrams });
    if (!quoted.ok) return quoted;
    quotes.push({
      sellerId: parcel.sellerId,
      service: quoted.value.service,
      amount: { amount: quoted.value.amount, currency: quoted.value.currency },
      weightGrams,
    });
  }
  const [first, ...rest] = quotes;
  if (!first) return err(ShippingErrors.noParcels());
  return ok([first, ...rest]);
}

/** Attribute names the catalog may use for a unit weight in grams. */
const WEIGHT_ATTRIBUTES = ['weight_g', 'weightgrams'];

/**
 * The unit weight of a variant from catalog attributes (variant's first, then the product's):
 * a positive number of grams, rounded up; null when none is given or it is not a number.
 */
export function weightFromAttributes(
  ...attributeLists: readonly (readonly { name: string; value: string }[])[]
): number | null {
  for (const attributes of attributeLists) {
    const found = attributes.find((a) => WEIGHT_ATTRIBUTES.includes(a.name.trim().toLowerCase()));
    if (!found) continue;
    const grams = Number(found.value.trim());
    if (Number.isFinite(grams) && grams > 0 && grams <= MAX_BRACKET_GRAMS) return Math.ceil(grams);
  }
  return null;
}

export type QuoteOutcome =
  { kind: 'QUOTED'; quotes: SellerQuotes } | { kind: 'REJECTED'; code: string; message: string };

/** The answers a quote raises, by contract: the reply the checkout saga waits for. */
type QuoteEvents = {
  'shipping.shipping-quoted@1': { checkoutId: string; quotes: SellerQuotes };
  'shipping.shipping-quote-rejected@1': { checkoutId: string; code: string; message: string };
};

/**
 * The answer given to one checkout, kept so a re-sent command (the saga retries after a timeout,
 * with a new message id) gets the same answer even if rates changed in between.
 */
export class ShippingQuote extends AggregateRoot<QuoteEvents> {
  private constructor(
    readonly id: string,
    readonly outcome: QuoteOutcome,
    private _answeredCount: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  static answer(checkoutId: string, result: Result<SellerQuotes>, now: Date): ShippingQuote {
    const outcome: QuoteOutcome = result.ok
      ? { kind: 'QUOTED', quotes: result.value }
      : { kind: 'REJECTED', code: result.error.code, message: result.error.message };
    const quote = new ShippingQuote(checkoutId, outcome, 0, now, now);
    quote.reply(now);
    return quote;
  }

  get checkoutId(): string {
    return this.id;
  }
  get answeredCount(): number {
    return this._answeredCount;
  }

  /** The command came again: the same answer goes out again. */
  reply(now: Date): void {
    this._answeredCount += 1;
    this._updatedAt = now;
    if (this.outcome.kind === 'QUOTED')
      this.raise(
        'shipping.shipping-quoted@1',
        { checkoutId: this.id, quotes: this.outcome.quotes },
        { occurredAt: now },
      );
    else
      this.raise(
        'shipping.shipping-quote-rejected@1',
        { checkoutId: this.id, code: this.outcome.code, message: this.outcome.message },
        { occurredAt: now },
      );
  }
}
