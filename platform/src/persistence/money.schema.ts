import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { Money } from '@marketplace/shared-kernel';

/** Money as an embeddable: `<prefix>amount` (bigint minor units) and `<prefix>currency` (ISO-4217). */
export const MoneySchema = new EntitySchema<Money>({
  // The private constructor is deliberate (Money.of validates); the ORM never calls it.
  class: Money as never,
  embeddable: true,
  properties: {
    amount: { type: new BigIntType('number') },
    currency: { type: 'string', length: 3 },
  } as never,
});
