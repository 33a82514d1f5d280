import type { ShippingRate } from '../../domain/rates.js';

/** Weight brackets (grams) every seeded zone is priced for; above 20 kg nothing is quoted. */
const BRACKETS = [500, 1_000, 2_000, 5_000, 10_000, 20_000];

/** STANDARD prices per bracket in minor units, per currency and zone; EXPRESS costs twice as much. */
const ZONES: { currency: string; countries: string[]; standard: number[] }[] = [
  {
    currency: 'EUR',
    countries: ['DE', 'FR', 'NL', 'BE', 'AT', 'ES', 'IT', 'IE', 'PT', 'LU', 'FI'],
    standard: [490, 590, 790, 1_190, 1_690, 2_490],
  },
  { currency: 'EUR', countries: ['*'], standard: [1_490, 1_990, 2_990, 4_490, 6_990, 9_990] },
  { currency: 'USD', countries: ['US'], standard: [599, 799, 1_099, 1_599, 2_499, 3_999] },
  { currency: 'USD', countries: ['CA'], standard: [1_299, 1_599, 2_199, 2_999, 4_499, 6_999] },
  { currency: 'USD', countries: ['*'], standard: [1_999, 2_499, 3_499, 4_999, 7_999, 11_999] },
  { currency: 'GBP', countries: ['GB'], standard: [399, 499, 699, 999, 1_499, 2_299] },
  { currency: 'GBP', countries: ['*'], standard: [1_299, 1_799, 2_599, 3_999, 5_999, 8_999] },
  { currency: 'INR', countries: ['IN'], standard: [4_900, 6_900, 9_900, 14_900, 24_900, 39_900] },
  { currency: 'INR', countries: ['*'], standard: [149_900, 199_900, 299_900, 449_900, 699_900, 999_900] },
];

export const SEED_RATES: ShippingRate[] = ZONES.flatMap((zone) =>
  zone.countries.flatMap((country) =>
    BRACKETS.flatMap((maxWeightGrams, i) => [
      {
        country,
        currency: zone.currency,
        service: 'STANDARD' as const,
        maxWeightGrams,
        amount: zone.standard[i]!,
      },
      {
        country,
        currency: zone.currency,
        service: 'EXPRESS' as const,
        maxWeightGrams,
        amount: zone.standard[i]! * 2,
      },
    ]),
  ),
);
