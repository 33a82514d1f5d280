import { err, ok, domainError, InvariantViolation, type Result } from './result.js';

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
      return err(domainError('MONEY.NOT_INTEGER', 'Amounts are integers in minor units', field));
    }
    return ok(new Money(amount, currency));
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
    return Money.from(this.amount + other.amount, this.currency);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.from(this.amount - other.amount, this.currency);
  }

  multiply(factor: number): Money {
    if (!Number.isSafeInteger(factor))
      throw new InvariantViolation('MONEY.NOT_INTEGER', 'Factor must be an integer');
    return Money.from(this.amount * factor, this.currency);
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
