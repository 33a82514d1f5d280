import { err, ok, domainError, InvariantViolation, type Result } from './result.js';

/**
 * The largest amount one input may carry, in minor units of any currency: a price, a coupon
 * amount or minimum spend, a shipping rate, a refund. 10^10 minor units is 100,000,000.00
 * USD/EUR/GBP, 10,000,000,000 JPY/KRW/VND (no minor unit) and 10,000,000.000 KWD/BHD. One
 * bound in minor units rather than one in major units: a major-unit bound would be a few
 * hundred dollars in VND or IDR and tens of millions in KWD. It keeps every realistic sum far
 * below 2^53 (9.007e15): a cart at its default limits (50 lines of 99 units) at the maximum
 * price totals 4.95e13, 180 times below; sums beyond the safe range are refused anyway
 * (`MONEY.OVERFLOW`).
 */
export const MAX_AMOUNT = 10_000_000_000;

/**
 * Thrown by Money arithmetic whose exact result would leave the safe-integer range (bounded
 * inputs make it unreachable in practice). A typed error with a stable code, never a rounded
 * amount.
 */
export class MoneyOverflow extends InvariantViolation {
  constructor(operation: string) {
    super('MONEY.OVERFLOW', `The ${operation} is beyond the amounts this system can represent exactly`);
    this.name = 'MoneyOverflow';
  }
}

/**
 * Money in integer minor units of an ISO-4217 currency. No floating point anywhere:
 * amounts are safe integers, arithmetic refuses to mix currencies, and splitting uses
 * largest-remainder allocation so the parts always sum to the whole.
 *
 * The currency list and minor-unit exponents come from the runtime's ICU data
 * (Intl), which tracks ISO-4217, instead of a hand-maintained table.
 */
export class Money {
  private constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}

  static of(amount: number, currency: string, field = 'amount'): Result<Money> {
    if (!isCurrency(currency)) {
      return err(
        domainError('MONEY.UNKNOWN_CURRENCY', `Unknown ISO-4217 currency "${currency}"`, 'currency'),
      );
    }
    if (!Number.isSafeInteger(amount)) {
      return err(domainError('MONEY.NOT_INTEGER', minorUnitsHint(field, amount, currency), field));
    }
    return ok(new Money(amount, currency));
  }

  /**
   * Money given as input (a price, a coupon amount, a rate, a refund): `of`, and then an
   * amount of at most `MAX_AMOUNT` and at least `min` (default `-MAX_AMOUNT`: callers with their
   * own code for a negative amount check it themselves), else `MONEY.OUT_OF_RANGE` naming the
   * field and the bound (the maximum also in the currency's major units).
   */
  static input(
    amount: number,
    currency: string,
    field = 'amount',
    { min = -MAX_AMOUNT } = {},
  ): Result<Money> {
    const outside = Number.isInteger(amount) && (amount > MAX_AMOUNT || amount < min);
    // Checked before `of`, so 2^60 is "too large" rather than "not an integer".
    const money = Money.of(outside ? 0 : amount, currency, field);
    if (!money.ok) return money;
    if (outside) {
      const bound =
        amount > MAX_AMOUNT
          ? `at most ${MAX_AMOUNT} minor units (${majorUnits(MAX_AMOUNT, currency)} ${currency})`
          : `at least ${min} minor units`;
      return err(domainError('MONEY.OUT_OF_RANGE', `${field} must be ${bound}`, field));
    }
    return money;
  }

  /** The sum of amounts of one currency (zero of `currency` when empty); `MONEY.OVERFLOW` beyond the safe range. */
  static sum(amounts: readonly Money[], currency: string): Money {
    return amounts.reduce((total, m) => total.add(m), Money.zero(currency));
  }

  /** For amounts already validated (e.g. loaded from storage); throws on programming errors. */
  static from(amount: number, currency: string): Money {
    const r = Money.of(amount, currency);
    if (!r.ok) throw new InvariantViolation(r.error.code, r.error.message);
    return r.value;
  }

  static zero(currency: string): Money {
    return Money.from(0, currency);
  }

  get minorUnitDigits(): number {
    return minorUnitDigits(this.currency);
  }

  isNegative(): boolean {
    return this.amount < 0;
  }

  isZero(): boolean {
    return this.amount === 0;
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return this.exact(this.amount + other.amount, 'sum');
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return this.exact(this.amount - other.amount, 'difference');
  }

  multiply(factor: number): Money {
    if (!Number.isSafeInteger(factor))
      throw new InvariantViolation('MONEY.NOT_INTEGER', 'Factor must be an integer');
    return this.exact(this.amount * factor, 'product');
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.amount === other.amount ? 0 : this.amount < other.amount ? -1 : 1;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount === other.amount;
  }

  /**
   * Splits this amount by integer weights with the largest-remainder method: every part
   * gets floor(share); the units left over go one each to the parts with the largest
   * remainders (ties to the earlier part), so the parts always sum to the whole.
   */
  allocate(weights: readonly number[]): Money[] {
    if (weights.length === 0)
      throw new InvariantViolation('MONEY.NO_WEIGHTS', 'Allocation needs at least one weight');
    if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
      throw new InvariantViolation('MONEY.BAD_WEIGHT', 'Weights are non-negative integers');
    }
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) throw new InvariantViolation('MONEY.BAD_WEIGHT', 'Weights must not all be zero');
    // BigInt keeps amount * weight exact beyond 2^53.
    const amount = BigInt(this.amount);
    const sign = amount < 0n ? -1n : 1n;
    const abs = amount * sign;
    const bigTotal = BigInt(total);
    const shares = weights.map((w) => (abs * BigInt(w)) / bigTotal);
    const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % bigTotal }));
    let left = abs - shares.reduce((a, b) => a + b, 0n);
    remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (const { i } of remainders) {
      if (left === 0n) break;
      shares[i] = shares[i]! + 1n;
      left -= 1n;
    }
    return shares.map((s) => Money.from(Number(s * sign), this.currency));
  }

  toJSON(): { amount: number; currency: string } {
    return { amount: this.amount, currency: this.currency };
  }

  toString(): string {
    return `${this.amount} ${this.currency} (minor units)`;
  }

  /** Operands are safe integers, so a result within the safe range is exact (no rounding happened). */
  private exact(result: number, operation: string): Money {
    if (!Number.isSafeInteger(result)) throw new MoneyOverflow(operation);
    return new Money(result, this.currency);
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new InvariantViolation(
        'MONEY.CURRENCY_MISMATCH',
        `${this.currency} cannot be combined with ${other.currency}`,
      );
    }
  }
}

let currencies: ReadonlySet<string> | undefined;

export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return /^[A-Z]{3}$/.test(code) && currencies.has(code);
}

export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** An amount in minor units written in the currency's major units: 259900 USD is "2599.00". */
export function majorUnits(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/**
 * The message for an amount that is not a whole number of minor units, with the nearest
 * example: the first mistake a client makes is 25.99 for 2599.
 */
export function minorUnitsHint(field: string, amount: unknown, currency?: string): string {
  const digits = currency && isCurrency(currency) ? minorUnitDigits(currency) : 2;
  const unit = digits === 0 ? `${currency} (it has no minor unit)` : 'minor units (cents)';
  const example =
    typeof amount === 'number' && Number.isFinite(amount) && !Number.isInteger(amount) && digits > 0
      ? `: ${Math.round(amount * 10 ** digits)} for ${amount}`
      : digits > 0
        ? `: 2599 for 25.99`
        : '';
  return `${field} must be a whole number of ${unit}${example}`;
}
